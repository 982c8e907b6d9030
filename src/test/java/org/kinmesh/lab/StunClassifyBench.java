package org.kinmesh.lab;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.kinmesh.stun.LocalAddresses;
import org.kinmesh.stun.ProbeResult;
import org.kinmesh.stun.ProbeSettings;
import org.kinmesh.stun.ServerOutcome;
import org.kinmesh.stun.StunServer;
import org.kinmesh.stun.StunSocketVerticle;

/**
 * The benchmark's probe loop (bench/stun-lab-bench.sh runs it inside a lab host): N full
 * classifications in one JVM, each from a fresh UDP socket so the NAT holds no state from the
 * run before (a reused socket would find the previous run's holes). Prints one line per run
 * ("run I ms=ELAPSED nat=TYPE rtt=TEST_I_RTT") and a summary of the cold first run and the
 * median of the others. Args: RUNS SERVER_IP:PORT...
 */
public final class StunClassifyBench {
  private StunClassifyBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: StunClassifyBench RUNS SERVER_IP:PORT...");
      System.exit(2);
    }
    int runs = Integer.parseInt(args[0]);
    if (runs < 2) {
      System.err.println("RUNS must be at least 2 (the first one is reported apart, as the cold run)");
      System.exit(2);
    }
    List<StunServer> servers = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      int colon = args[i].lastIndexOf(':');
      servers.add(new StunServer(args[i], new InetSocketAddress(InetAddress.getByName(args[i].substring(0, colon)),
          Integer.parseInt(args[i].substring(colon + 1)))));
    }
    Set<InetAddress> local = LocalAddresses.current();
    Vertx vertx = Vertx.vertx();
    List<Long> warm = new ArrayList<>();
    long cold = -1;
    String nat = null;
    try {
      for (int i = 1; i <= runs; i++) {
        StunSocketVerticle socket = new StunSocketVerticle("0.0.0.0", 0);
        String id = vertx.deployVerticle(socket).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ProbeResult r = socket.probe(servers, local, ProbeSettings.DEFAULT).toCompletionStage().toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
        vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long rtt = r.servers().stream().filter(ServerOutcome::ok).mapToLong(ServerOutcome::rttMillis).findFirst()
            .orElse(-1);
        System.out.printf("run %d ms=%d nat=%s rtt=%d%n", i, r.elapsedMillis(), r.natType().wire(), rtt);
        if (nat != null && !nat.equals(r.natType().wire())) {
          System.out.printf("warning: run %d classified %s, earlier runs %s%n", i, r.natType().wire(), nat);
        }
        nat = r.natType().wire();
        if (i == 1) {
          cold = r.elapsedMillis();
        } else {
          warm.add(r.elapsedMillis());
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    Collections.sort(warm);
    System.out.printf("summary nat=%s cold_ms=%d median_ms=%d min_ms=%d max_ms=%d runs=%d%n", nat, cold,
        median(warm), warm.get(0), warm.get(warm.size() - 1), warm.size());
  }

  static long median(List<Long> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
