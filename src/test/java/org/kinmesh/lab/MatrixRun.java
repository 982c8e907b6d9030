package org.kinmesh.lab;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.kinmesh.lab.NatLab.Kind;

/**
 * One run of the NAT matrix: a lab with one host per spec, a relay, a node on every host, all
 * on one chain; once every node commits, the paths are watched for a while and the result is
 * read from every node's /peers (path, endpoint, why) and logs (punch and path-change times).
 * Shared by NatMatrixLabTest and NatTraversalBench. Closing it stops the nodes and tears the lab
 * down.
 */
public final class MatrixRun implements AutoCloseable {
  private static final Duration POLL = Duration.ofSeconds(2);

  private final NatLab lab;
  private final LabChain chain;
  private final Consumer<String> progress;

  private MatrixRun(NatLab lab, LabChain chain, Consumer<String> progress) {
    this.lab = lab;
    this.chain = chain;
    this.progress = progress;
  }

  /** Builds the lab, starts the relay and every node (in spec order), waits until each committed height 2. */
  public static MatrixRun start(List<NatLab.Spec> specs, Path dir, Consumer<String> progress) throws Exception {
    NatLab lab = NatLab.up(specs);
    LabChain chain = null;
    try {
      chain = new LabChain(lab, dir, specs.stream().map(NatLab.Spec::name).toList());
      MatrixRun run = new MatrixRun(lab, chain, progress);
      progress.accept("lab " + lab.runId() + " up; starting the relay");
      chain.startRelay();
      for (NatLab.Spec s : specs) {
        chain.startNode(s.name());
        progress.accept("node " + s.name() + " (" + s.kind().label() + ") up");
      }
      LabChain c = chain;
      chain.awaitAll(chain.hosts(), h -> c.height(h) >= 2, Duration.ofSeconds(180), "every node commits height 2");
      progress.accept("every node committed height 2");
      return run;
    } catch (Exception | AssertionError e) {
      if (chain != null) {
        chain.saveLogs();
        chain.close();
      }
      lab.close();
      throw e;
    }
  }

  public NatLab lab() {
    return lab;
  }

  public LabChain chain() {
    return chain;
  }

  /**
   * Watches the paths until every pair of nodes is direct both ways or {@code window} has passed,
   * then reads the matrix. A pair that is still relayed after the window is reported relayed
   * (the punch keeps retrying every 10 s; the window is what "cannot be direct" means here).
   */
  public NatMatrix observe(Duration window) {
    return until(m -> m.cells().stream().allMatch(c -> c.outcome() == NatMatrix.Outcome.DIRECT), window);
  }

  /** Reads the matrix every couple of seconds until done says so or the bound passes; returns the last one. */
  public NatMatrix until(java.util.function.Predicate<NatMatrix> done, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    NatMatrix m = read();
    while (System.nanoTime() < deadline && !done.test(m)) {
      sleep(POLL);
      m = read();
    }
    return m;
  }

  /** The matrix as the nodes see it now. */
  public NatMatrix read() {
    List<String> hosts = chain.hosts();
    java.util.Map<String, Map<String, JsonObject>> peers = new java.util.HashMap<>();
    java.util.Map<String, PathLog> logs = new java.util.HashMap<>();
    for (String h : hosts) {
      peers.put(h, chain.peers(h));
      logs.put(h, PathLog.parse(chain.log(h)));
    }
    NatMatrix m = new NatMatrix();
    for (int i = 0; i < hosts.size(); i++) {
      for (int j = i + 1; j < hosts.size(); j++) {
        String a = hosts.get(i);
        String b = hosts.get(j);
        String ida = chain.key(a).shortId();
        String idb = chain.key(b).shortId();
        m.add(new NatMatrix.Cell(a, kind(a), b, kind(b), view(peers.get(a).get(b)), view(peers.get(b).get(a)),
            PathLog.pair(logs.get(a), ida, logs.get(b), idb)));
      }
    }
    return m;
  }

  private Kind kind(String host) {
    return lab.host(host).kind();
  }

  private static NatMatrix.View view(JsonObject e) {
    if (e == null) {
      return new NatMatrix.View("?", null, "not in /peers");
    }
    return new NatMatrix.View(e.getString("path", "?"), e.getString("endpoint"), e.getString("why"));
  }

  /** Every node's path-change history toward every peer, for the report. */
  public List<String> history() {
    List<String> out = new ArrayList<>();
    changesByPair().forEach((pair, changes) -> {
      StringBuilder sb = new StringBuilder(pair + ":");
      for (PathLog.PathChange c : changes) {
        sb.append(' ').append(c.to()).append(" (").append(c.why()).append(')');
      }
      out.add(sb.toString());
    });
    return out;
  }

  /** Every time a node moved a peer off a direct path ("a -> b: direct_udp -> relayed (why)"): flaps. */
  public List<String> downgrades() {
    List<String> out = new ArrayList<>();
    changesByPair().forEach((pair, changes) -> {
      for (PathLog.PathChange c : changes) {
        if (c.from().startsWith("direct") && !c.to().startsWith("direct")) {
          out.add(pair + ": " + c.from() + " -> " + c.to() + " (" + c.why() + ")");
        }
      }
    });
    return out;
  }

  /** "a -> b" → the path changes node a logged toward peer b, for every ordered pair, in host order. */
  private Map<String, List<PathLog.PathChange>> changesByPair() {
    Map<String, List<PathLog.PathChange>> out = new LinkedHashMap<>();
    for (String a : chain.hosts()) {
      PathLog log = PathLog.parse(chain.log(a));
      for (String b : chain.hosts()) {
        if (!a.equals(b)) {
          out.put(a + " -> " + b, log.changesFor(chain.key(b).shortId()));
        }
      }
    }
    return out;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    chain.saveLogs();
    chain.close();
    lab.close();
  }
}
