package org.kinmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.kinmesh.crypto.Identity;
import org.kinmesh.gossip.AnnounceStore;
import org.kinmesh.gossip.CachedEndpoint;
import org.kinmesh.gossip.GossipAddresses;
import org.kinmesh.gossip.GossipConfig;
import org.kinmesh.gossip.GossipSettings;
import org.kinmesh.gossip.GossipVerticle;
import org.kinmesh.gossip.PeerTable;
import org.kinmesh.gossip.Source;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/**
 * Gossip benchmark (BENCHMARKS.md): N gossip nodes, each a real UdpTransport on 127.0.0.1 and a
 * real GossipVerticle, all in one Vert.x with prefixed event-bus addresses. The network starts
 * converged (every node's table and version memory primed as after a restart with a full
 * cache), the periodic timers are off, and the harness drives synchronous pull rounds: every
 * node pulls k random table peers at once, and the round ends when every pull has had its last
 * delta (or timed out). One node changes its endpoint (a new STUN view, the real path); the
 * harness counts the rounds until every node holds the new version, and the bytes sent. Two
 * movers per network: one that only stores its new announce (pure pull dissemination) and one
 * that also pushes it to its table peers (the product default). Then memory per table entry,
 * measured as the heap delta over many entries.
 *
 * <p>Usage: GossipBench [sizes=100,1000] [fanout=3] [maxRounds=25]. Exit code 3 when a target is missed.
 */
public final class GossipBench {
  private static final String CHAIN = "bench-gossip";
  private static boolean missed;
  private static final java.util.Map<Integer, String> transportIds = new java.util.concurrent.ConcurrentHashMap<>();

  private GossipBench() {}

  public static void main(String[] args) throws Exception {
    String[] sizes = (args.length > 0 ? args[0] : "100,1000").split(",");
    int fanout = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int maxRounds = args.length > 2 ? Integer.parseInt(args[2]) : 25;
    System.out.printf(Locale.ROOT, "gossip benchmark: sizes %s, fanout k=%d, max %d rounds, heap max %d MiB%n",
        String.join(",", sizes), fanout, maxRounds, Runtime.getRuntime().maxMemory() >> 20);
    List<String> summary = new ArrayList<>();
    for (String s : sizes) {
      summary.addAll(network(Integer.parseInt(s.trim()), fanout, maxRounds));
    }
    summary.addAll(memory());
    System.out.println();
    System.out.println("summary");
    summary.forEach(System.out::println);
    System.exit(missed ? 3 : 0);
  }

  // ---- dissemination ----

  private record Node(int index, Identity id, UdpTransport udp, GossipVerticle gossip, GossipAddresses addresses) {}

  private static List<String> network(int n, int fanout, int maxRounds) throws Exception {
    System.out.printf(Locale.ROOT, "%n== N = %d ==%n", n);
    long t0 = System.nanoTime();
    // A thousand nodes on two shared cores keep each event loop busy for seconds at a time: that is the
    // simulation's load, not a blocked handler, so the checker only warns after a minute.
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setMaxEventLoopExecuteTime(60)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    try {
      List<Identity> ids = new ArrayList<>(n);
      JsonArray keys = new JsonArray();
      for (int i = 0; i < n; i++) {
        ids.add(TestKeys.key(20_000 + i));
        keys.add(ids.get(i).publicKeyHex());
      }
      org.kinmesh.chain.AuthorizedSet authorized = new org.kinmesh.chain.AuthorizedSet(1, new java.util.HashSet<>(keys.getList()));
      List<UdpTransport> transports = new ArrayList<>(n);
      List<Future<String>> deploying = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        UdpTransport t = new UdpTransport("127.0.0.1", 0, new UdpAddresses("bench." + i + ".udp"));
        transports.add(t);
        int index = i;
        deploying.add(vertx.deployVerticle(t).onSuccess(id -> transportIds.put(index, id)));
        if (deploying.size() == 100) {
          await(Future.all(deploying));
          deploying.clear();
        }
      }
      await(Future.all(deploying));
      deploying.clear();
      // Everyone's latest version is V0 + 1 and every node knows it: start-up announces are duplicates everywhere.
      long v0 = System.currentTimeMillis() + 3_600_000L;
      long nowSecs = System.currentTimeMillis() / 1000;
      List<CachedEndpoint> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(new CachedEndpoint(ids.get(i).publicKeyHex(), new Endpoint("127.0.0.1", transports.get(i).boundPort()),
            NatType.UNKNOWN, nowSecs, v0 + 1, 40, Source.CACHE.bit()));
      }
      List<Node> nodes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        GossipAddresses a = GossipAddresses.prefixed("bench." + i);
        vertx.eventBus().consumer(a.authorizedSetQuery(), m -> m.reply(authorized));
        // Timers off (the harness drives rounds); all on 127.0.0.1, so no per-source-IP limit; a long pull timeout,
        // because a thousand nodes on two cores answer slowly and a late delta would be dropped as unsolicited.
        JsonObject cfg = new JsonObject().put("announce_interval_ms", 3_600_000).put("announce_jitter_ms", 0)
            .put("pull_interval_ms", 3_600_000).put("pull_jitter_ms", 0).put("quick_pulls", 0)
            .put("pull_timeout_ms", 30_000).put("fanout", fanout).put("source_ops_per_sec", 1_000_000)
            .put("announce_push", i == 1);
        GossipVerticle g = new GossipVerticle(new GossipSettings(CHAIN, GossipConfig.fromJson(cfg), List.of(), null),
            ids.get(i), TimeSource.SYSTEM, new UdpAddresses("bench." + i + ".udp"), a, new java.util.Random(i))
            .preload(rows, v0);
        nodes.add(new Node(i, ids.get(i), transports.get(i), g, a));
        deploying.add(vertx.deployVerticle(g));
        if (deploying.size() == 100) {
          await(Future.all(deploying));
          deploying.clear();
        }
      }
      await(Future.all(deploying));
      for (Node x : nodes) {
        while (!status(vertx, x, null).getBoolean("started")) {
          pause(vertx, 10);
        }
      }
      JsonObject s0 = status(vertx, nodes.get(0), null);
      System.out.printf(Locale.ROOT, "set-up %.1f s: %d nodes started; node 0 keeps %d peers in its table and %d entries"
          + " in its announce store%n", (System.nanoTime() - t0) / 1e9, n, s0.getInteger("peers"), s0.getInteger("entries"));
      List<String> out = new ArrayList<>();
      out.add(experiment(vertx, nodes, nodes.get(0), false, fanout, maxRounds));
      out.add(experiment(vertx, nodes, nodes.get(1), true, fanout, maxRounds));
      return out;
    } finally {
      await(vertx.close());
    }
  }

  private static String experiment(Vertx vertx, List<Node> nodes, Node mover, boolean push, int fanout,
      int maxRounds) throws Exception {
    int n = nodes.size();
    String mode = push ? "push+pull" : "pull only";
    String change = push ? "moved to" : "NAT type changed, endpoint stays";
    long oldVer = status(vertx, mover, null).getLong("ver");
    long gossipInBefore = udpReceived(vertx, nodes);
    long moverSentBefore = events(status(vertx, mover, null)).getLong("announces_sent", 0L);
    Endpoint moved;
    if (push) {
      // A move: the mover's socket is replaced by one on a new port (as when a NAT maps it anew), and its STUN
      // view says so; it announces the new endpoint first (its old local address second) and pushes that.
      await(vertx.undeploy(transportIds.get(mover.index())));
      UdpTransport fresh = new UdpTransport("127.0.0.1", 0, new UdpAddresses("bench." + mover.index() + ".udp"));
      transportIds.put(mover.index(), await(vertx.deployVerticle(fresh)));
      moved = new Endpoint("127.0.0.1", fresh.boundPort());
    } else {
      // Pull only: nobody could pull a node that moved and told no one, so here the change is the NAT type (the
      // endpoint stays): what is measured is how fast a new version spreads by pulls alone.
      moved = new Endpoint("127.0.0.1", mover.udp().boundPort());
    }
    vertx.eventBus().publish(mover.addresses().stunState(), new org.kinmesh.stun.StunView(
        java.util.Optional.of(moved), org.kinmesh.wire.gossip.NatType.FULL_CONE, moved.port()));
    long newVer;
    while ((newVer = status(vertx, mover, null).getLong("ver")) == oldVer) {
      pause(vertx, 1);
    }
    if (push) {
      // Round 0: the push to the mover's table peers, counted in once every datagram of it has arrived.
      long pushed = events(status(vertx, mover, null)).getLong("announces_sent", 0L) - moverSentBefore;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (udpReceived(vertx, nodes) - gossipInBefore < pushed && System.nanoTime() < deadline) {
        pause(vertx, 5);
      }
    }
    int covered = coverage(vertx, nodes, mover, newVer);
    int covered0 = covered;
    System.out.printf(Locale.ROOT, "%s, mover node %d %s %s: new ver %d; round 0: %d/%d nodes have it%n", mode,
        mover.index(), change, moved, newVer, covered, n);
    long bytesBefore = bytesSent(vertx, nodes);
    long totalBytes = 0;
    int rounds = 0;
    long start = System.nanoTime();
    while (covered < n && rounds < maxRounds) {
      List<Future<Void>> pulls = new ArrayList<>(n);
      for (Node x : nodes) {
        pulls.add(x.gossip().pullNow());
      }
      await(Future.join(pulls));
      rounds++;
      covered = coverage(vertx, nodes, mover, newVer);
      long bytes = bytesSent(vertx, nodes);
      totalBytes += bytes - bytesBefore;
      System.out.printf(Locale.ROOT, "  round %2d: %4d/%d nodes have it, %,.0f bytes sent per node this round%n",
          rounds, covered, n, (bytes - bytesBefore) / (double) n);
      bytesBefore = bytes;
    }
    double secs = (System.nanoTime() - start) / 1e9;
    long timedOut = 0;
    long truncated = 0;
    java.util.Map<String, Long> drops = new java.util.TreeMap<>();
    long udpSendFailures = 0;
    for (Node x : nodes) {
      JsonObject st = status(vertx, x, null);
      timedOut += events(st).getLong("pulls_timed_out", 0L);
      truncated += events(st).getLong("deltas_truncated", 0L);
      JsonObject d = st.getJsonObject("counters").getJsonObject("dropped");
      for (String r : d.fieldNames()) {
        if (d.getLong(r) > 0) {
          drops.merge(r, d.getLong(r), Long::sum);
        }
      }
      udpSendFailures += await(vertx.eventBus().<JsonObject>request(new UdpAddresses("bench." + x.index() + ".udp")
          .info(), null)).body().getLong("send_failures");
    }
    System.out.printf(Locale.ROOT, "  so far in this network: %d pulls timed out, %d answers cut at the datagram bound,"
        + " %d UDP send failures, drops %s%n", timedOut, truncated, udpSendFailures, drops);
    int bound = (int) Math.ceil(Math.log(n) / Math.log(fanout + 1) - 1e-9);
    boolean ok = covered == n && rounds <= bound + 2;
    missed |= !ok;
    int keepers = 0;
    int best = 0;
    for (Node x : nodes) {
      if (x == mover) {
        continue;
      }
      JsonObject view = tableView(vertx, x, mover.id().publicKeyHex());
      if (view != null) {
        keepers++;
        if (view.getJsonArray("endpoints").getJsonObject(0).getString("endpoint").equals(moved.toString())
            && view.getString("nat").equals("full_cone")) {
          best++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "  %d of the %d nodes that keep the mover in their table have its new NAT type and "
        + "rank %s first; %.2f s of rounds%n", best, keepers, moved, secs);
    return String.format(Locale.ROOT, "N=%-5d %-9s rounds %2d  (ceil(log_%d N) = %d, target <= %d) %s  bytes/node/round "
        + "%,6.0f  round-0 coverage %d/%d", n, mode, rounds, fanout + 1, bound, bound + 2, ok ? "PASS" : "FAIL",
        rounds == 0 ? 0.0 : totalBytes / (double) n / rounds, covered0, n);
  }

  private static int coverage(Vertx vertx, List<Node> nodes, Node mover, long ver) throws Exception {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (Node x : nodes) {
      all.add(statusAsync(vertx, x, mover.id().publicKeyHex()));
    }
    await(Future.all(all));
    int c = 0;
    for (Future<JsonObject> f : all) {
      if (f.result().getLong("known_ver") >= ver) {
        c++;
      }
    }
    return c;
  }

  private static long bytesSent(Vertx vertx, List<Node> nodes) throws Exception {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (Node x : nodes) {
      all.add(statusAsync(vertx, x, null));
    }
    await(Future.all(all));
    long sum = 0;
    for (Future<JsonObject> f : all) {
      sum += events(f.result()).getLong("bytes_sent", 0L);
    }
    return sum;
  }

  private static long udpReceived(Vertx vertx, List<Node> nodes) throws Exception {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (Node x : nodes) {
      all.add(vertx.eventBus().<JsonObject>request(new UdpAddresses("bench." + x.index() + ".udp").info(), null)
          .map(m -> m.body()));
    }
    await(Future.all(all));
    long sum = 0;
    for (Future<JsonObject> f : all) {
      sum += f.result().getJsonObject("received").getLong("gossip");
    }
    return sum;
  }

  private static JsonObject tableView(Vertx vertx, Node x, String key) {
    try {
      return await(vertx.eventBus().<JsonObject>request(x.addresses().peerTableQuery(), new JsonObject()
          .put("pubkey", key))).body();
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonObject events(JsonObject status) {
    return status.getJsonObject("counters").getJsonObject("events");
  }

  private static Future<JsonObject> statusAsync(Vertx vertx, Node x, String key) {
    JsonObject req = new JsonObject();
    if (key != null) {
      req.put("pubkey", key);
    }
    return vertx.eventBus().<JsonObject>request(x.addresses().status(), req).map(m -> m.body());
  }

  private static JsonObject status(Vertx vertx, Node x, String key) throws Exception {
    return await(statusAsync(vertx, x, key));
  }

  private static void pause(Vertx vertx, long ms) throws Exception {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    await(p.future());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  // ---- memory ----

  /** Heap delta over many tables (and announce stores) full of entries, after full GCs. */
  private static List<String> memory() {
    System.out.printf(Locale.ROOT, "%n== memory per entry ==%n");
    List<String> out = new ArrayList<>();
    int tables = 200;
    int peers = 100;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < peers + 1; i++) {
      keys.add(TestKeys.key(30_000 + i).publicKeyHex());
    }
    for (int eps : new int[] {1, 6}) {
      long before = usedAfterGc();
      List<PeerTable> held = new ArrayList<>(tables);
      for (int t = 0; t < tables; t++) {
        PeerTable table = new PeerTable(copy(keys.get(peers)), peers, 180_000, 600_000, TimeSource.SYSTEM);
        for (int p = 0; p < peers; p++) {
          List<Endpoint> list = new ArrayList<>(eps);
          for (int e = 0; e < eps; e++) {
            list.add(new Endpoint(copy("203.0.113." + (e + 1)), 40_000 + p));
          }
          table.applyAnnounce(new Announce(CHAIN, copy(keys.get(p)), list, NatType.OPEN, 0, 1, "00".repeat(64)));
        }
        held.add(table);
      }
      long used = usedAfterGc() - before;
      double perPeer = used / (double) (tables * peers);
      String line = String.format(Locale.ROOT, "peer table: %,.0f bytes per peer with %d endpoint%s (%,.0f per endpoint"
          + " entry incl. its peer share); %,d peers measured", perPeer, eps, eps == 1 ? "" : "s", perPeer / eps,
          tables * peers);
      System.out.println(line);
      out.add(line);
      if (held.size() != tables) {
        throw new IllegalStateException();
      }
    }
    long before = usedAfterGc();
    List<AnnounceStore> stores = new ArrayList<>();
    Identity signer = TestKeys.key(30_500);
    Announce real = Announce.sign(signer, CHAIN, List.of(new Endpoint("203.0.113.1", 40_000)), NatType.OPEN,
        System.currentTimeMillis() / 1000, 1);
    for (int t = 0; t < 20; t++) {
      AnnounceStore s = new AnnounceStore(1_000, keys.get(0));
      for (int i = 0; i < 1_000; i++) {
        s.put(new Announce(CHAIN, copy(keys.get(i % peers).substring(0, 56) + String.format("%08x", i)),
            real.endpoints(), NatType.OPEN, real.ts(), 1, copy(real.sig())));
      }
      stores.add(s);
    }
    long used = usedAfterGc() - before;
    String line = String.format(Locale.ROOT, "announce store: %,.0f bytes per stored announce (one endpoint, %d bytes "
        + "of JSON); %,d entries measured", used / 20_000.0, real.toJson().encode().length(), 20_000);
    System.out.println(line);
    out.add(line);
    if (stores.size() != 20) {
      throw new IllegalStateException();
    }
    return out;
  }

  private static String copy(String s) {
    return new String(s.toCharArray());
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
