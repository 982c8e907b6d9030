package org.kinmesh.node;

import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;

/**
 * Consensus benchmark (bench/consensus-bench.sh; see BENCHMARKS.md), not a unit test: the relay and
 * four nodes of {@link TestNetwork} in this JVM, each node in its own Vert.x, on loopback.
 *
 * <p>Args: [latencySamples=200] [throughputTxs=5000] [inFlight=1000] [blockIntervalMs=10]
 * [throughputBoundSecs=30] [latencyGapMs=50] [batchSize=100] [batchSamples=20]. Prints one {@code RESULT}
 * line per figure and PASS/FAIL beside each target, and each node's {@code PHASES}.
 */
public final class ConsensusBench {
  private static final int PAYLOAD_BYTES = 256;
  private static final long VIEW_TIMEOUT_MS = 10_000;
  /** Heartbeats often enough to time ~50 empty blocks in the idle phase. */
  private static final long EMPTY_BLOCK_MS = 200;
  private static final long EMPTY_PHASE_MS = 15_000;

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int totalTxs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    long blockMs = args.length > 3 ? Long.parseLong(args[3]) : 10;
    long tputBoundSecs = args.length > 4 ? Long.parseLong(args[4]) : 30;
    long gapMs = args.length > 5 ? Long.parseLong(args[5]) : 50;
    int batchSize = args.length > 6 ? Integer.parseInt(args[6]) : 100;
    int batchSamples = args.length > 7 ? Integer.parseInt(args[7]) : 20;
    Path dir = Files.createTempDirectory("kinmesh-cbench");
    boolean allPass = true;
    System.out.printf("CONFIG nodes=4 block_interval_ms=%d empty_block_interval_ms=%d view_change_timeout_ms=%d"
        + " samples=%d gap_ms=%d batch=%dx%d throughput_txs=%d in_flight=%d payload_bytes=%d dir=%s%n",
        blockMs, EMPTY_BLOCK_MS, VIEW_TIMEOUT_MS, samples, gapMs, batchSamples, batchSize, totalTxs, inFlight,
        PAYLOAD_BYTES, dir);
    String payloadHex = "ab".repeat(PAYLOAD_BYTES);
    long[] nonces = new long[4];
    // The production view-change timeout (10 s), not the fault tests' 1 s: a loaded machine can take
    // more than a second over a full block, and a view change there would be the test's artefact.
    TestNetwork net = new TestNetwork(dir, 4, (i, json) -> {
      json.put("block_interval_ms", blockMs).put("empty_block_interval_ms", EMPTY_BLOCK_MS);
      json.getJsonObject("intervals").put("view_change_timeout_ms", VIEW_TIMEOUT_MS);
    });
    String loops = System.getenv("BENCH_EVENT_LOOPS");
    if (loops != null && !loops.isBlank()) {
      // Each node's verticles on fewer threads: what a node on its own machine saves in thread hops
      // when four of them do not share two cores (reported beside the default, never instead of it).
      net.nodeVertxOptions.setEventLoopPoolSize(Integer.parseInt(loops.trim()));
    }
    System.out.println("CONFIG event_loops_per_node=" + net.nodeVertxOptions.getEventLoopPoolSize());
    // The ceiling the signature checks alone set, measured before any node runs: every node checks
    // every transaction once (PBFT: an honest replica votes only for transactions it verified).
    double[] checkRate = txCheckRate(net.keys.get(0), payloadHex, 1.0, 2.0);
    int cores = Runtime.getRuntime().availableProcessors();
    // Per second of CPU, not of wall clock: what a whole core does, however busy the machine is now.
    double ceiling = cores * checkRate[1] / 4;
    System.out.printf("RESULT tx_check_rate per_cpu_sec=%.0f per_wall_sec=%.0f (one thread: Transaction.signatureValid,"
        + " i.e. canonical bytes + SHA-256 + Ed25519) -> ceiling %d cores x %.0f / 4 nodes = %.0f tx/s if the nodes"
        + " had every core and nothing but signature checks to do%n", checkRate[1], checkRate[0], cores, checkRate[1],
        ceiling);
    try {
      // 1. cold start: first node's deployment -> height 1 committed on all four.
      long t0 = System.nanoTime();
      net.startAll();
      long deployed = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        net.awaitHeight(i, 1, Duration.ofSeconds(30));
      }
      double coldMs = (System.nanoTime() - t0) / 1e6;
      boolean coldPass = coldMs < 5000;
      allPass &= coldPass;
      System.out.printf("RESULT cold_start_ms=%.0f (all four nodes deployed after %.0f ms)  target < 5000 ms  %s%n",
          coldMs, (deployed - t0) / 1e6, coldPass ? "PASS" : "FAIL");

      TestNetwork.Member n0 = net.node(0);
      // 2. commit latency of one transaction, then of a batch, submitted to and observed on node 0,
      // one sample at a time with a pause between (latency of a quiet chain, not a queue).
      String k0 = n0.key();
      Map<Long, Promise<Long>> pending = new ConcurrentHashMap<>();
      MessageConsumer<JsonObject> c = n0.vertx.eventBus().consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> {
        long now = System.nanoTime();
        JsonArray txs = m.body().getJsonArray("transactions");
        for (int j = 0; j < txs.size(); j++) {
          JsonObject tx = txs.getJsonObject(j);
          if (k0.equals(tx.getString("sender"))) {
            Promise<Long> p = pending.remove(tx.getLong("nonce"));
            if (p != null) {
              p.tryComplete(now);
            }
          }
        }
      });
      TestNetwork.await(c.completion(), TestNetwork.WAIT);
      Sampler single = new Sampler(net, pending, nonces, payloadHex, gapMs);
      double[] lat = single.run(samples, 1, 20);
      boolean latPass = single.failed == 0 && lat.length > 0 && pct(lat, 50) <= 10;
      allPass &= latPass;
      System.out.printf("RESULT commit_latency samples=%d failed=%d p50_ms=%.1f p99_ms=%.1f min_ms=%.1f max_ms=%.1f"
          + " (one tx, %d ms between samples)  target p50 <= 10 ms  %s%n", lat.length, single.failed, pct(lat, 50),
          pct(lat, 99), lat.length > 0 ? lat[0] : Double.NaN, lat.length > 0 ? lat[lat.length - 1] : Double.NaN,
          gapMs, latPass ? "PASS" : "FAIL");
      Sampler batch = new Sampler(net, pending, nonces, payloadHex, gapMs);
      double[] blat = batch.run(batchSamples, batchSize, 2);
      System.out.printf("RESULT batch_latency batch=%d samples=%d failed=%d p50_ms=%.1f p99_ms=%.1f min_ms=%.1f"
          + " max_ms=%.1f (first submission to the last transaction committed on node 0)  no target%n", batchSize,
          blat.length, batch.failed, pct(blat, 50), pct(blat, 99), blat.length > 0 ? blat[0] : Double.NaN,
          blat.length > 0 ? blat[blat.length - 1] : Double.NaN);
      TestNetwork.await(c.unregister(), TestNetwork.WAIT);
      printPhases(net, "latency");

      // 3. empty blocks (after the latency samples, so the JIT is warm): the chain idles, the primary
      // proposes a heartbeat every empty_block_interval_ms; each node times its last 64 empty blocks
      // (phases_ms.total_empty: the primary from asking the ledger for the block to having applied
      // it, a backup from the pre-prepare's arrival).
      Promise<Void> idle = Promise.promise();
      n0.vertx.setTimer(EMPTY_PHASE_MS, t -> idle.complete());
      TestNetwork.await(idle.future(), Duration.ofMillis(EMPTY_PHASE_MS + 10_000));
      JsonObject primaryEmpty = null;
      int primaryIndex = -1;
      for (TestNetwork.Member m : net.upNodes()) {
        JsonObject st = net.status(m.index);
        if ("primary".equals(st.getString("role"))) {
          primaryIndex = m.index;
          primaryEmpty = st.getJsonObject("phases_ms").getJsonObject("total_empty");
        }
      }
      JsonObject n0Empty = net.status(0).getJsonObject("phases_ms").getJsonObject("total_empty");
      if (primaryEmpty != null) {
        boolean emptyPass = primaryEmpty.getDouble("p50") <= 10;
        allPass &= emptyPass;
        System.out.printf("RESULT empty_block_latency blocks=%d primary(node %d) p50_ms=%.1f p99_ms=%.1f;"
            + " node 0 p50_ms=%.1f p99_ms=%.1f  target p50 <= 10 ms  %s%n",
            net.status(primaryIndex).getJsonObject("phases_ms").getLong("blocks"), primaryIndex,
            primaryEmpty.getDouble("p50"), primaryEmpty.getDouble("p99"),
            n0Empty == null ? Double.NaN : n0Empty.getDouble("p50"), n0Empty == null ? Double.NaN : n0Empty.getDouble("p99"),
            emptyPass ? "PASS" : "FAIL");
      } else {
        allPass = false;
        System.out.println("RESULT empty_block_latency no primary found  FAIL");
      }

      // 4. throughput: round-robin over the nodes (node i's key submits to node i, so each sender's
      // nonces reach one node in order), at most inFlight submitted-but-not-committed (as seen on node 0).
      Semaphore window = new Semaphore(inFlight);
      AtomicLong committed = new AtomicLong();
      AtomicLong rejected = new AtomicLong();
      AtomicLong firstCommitNs = new AtomicLong();
      AtomicLong lastCommitNs = new AtomicLong();
      long[] base = nonces.clone();
      List<String> senders = net.keys.stream().map(k -> k.publicKeyHex()).toList();
      AtomicLong blocks = new AtomicLong();
      AtomicLong maxPerBlock = new AtomicLong();
      MessageConsumer<JsonObject> c3 = n0.vertx.eventBus().consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> {
        JsonArray txs = m.body().getJsonArray("transactions");
        int mine = 0;
        for (int j = 0; j < txs.size(); j++) {
          JsonObject tx = txs.getJsonObject(j);
          int idx = senders.indexOf(tx.getString("sender"));
          if (idx >= 0 && tx.getLong("nonce") > base[idx]) {
            mine++;
          }
        }
        if (mine > 0) {
          long now = System.nanoTime();
          firstCommitNs.compareAndSet(0, now);
          lastCommitNs.set(now);
          committed.addAndGet(mine);
          blocks.incrementAndGet();
          maxPerBlock.accumulateAndGet(mine, Math::max);
          window.release(mine);
        }
      });
      TestNetwork.await(c3.completion(), TestNetwork.WAIT);
      // Pre-sign so signing is not in the measured loop.
      List<Transaction> txs = new ArrayList<>(totalTxs);
      long ts = System.currentTimeMillis() / 1000;
      for (int k = 0; k < totalTxs; k++) {
        int i = k % 4;
        txs.add(Transaction.sign(net.keys.get(i), TestNetwork.CHAIN, ++nonces[i], ts, new Payload.Data(payloadHex)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(tputBoundSecs);
      long cpuStart = processCpuNanos();
      long tStart = System.nanoTime();
      int submitted = 0;
      for (Transaction tx : txs) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !window.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          break;
        }
        int i = submitted % 4;
        net.node(i).vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().chainSubmit(),
            new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8))).onFailure(e -> {
              rejected.incrementAndGet();
              window.release();
            });
        submitted++;
      }
      long allSubmitted = System.nanoTime();
      while (committed.get() + rejected.get() < submitted && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long tEnd = System.nanoTime();
      long cpu = processCpuNanos() - cpuStart;
      TestNetwork.await(c3.unregister(), TestNetwork.WAIT);
      long n = committed.get();
      double wall = (tEnd - tStart) / 1e9;
      double rate = n / wall;
      boolean tputPass = n == totalTxs && rate >= 5000;
      allPass &= tputPass;
      System.out.printf("RESULT throughput submitted=%d committed=%d rejected=%d in %.2f s (submitting took %.2f s)"
          + " -> %.0f tx/s; blocks=%d avg_tx_per_block=%.1f max_tx_per_block=%d  target >= 5000 tx/s  %s%n",
          submitted, n, rejected.get(), wall, (allSubmitted - tStart) / 1e9, rate, blocks.get(),
          blocks.get() == 0 ? 0.0 : (double) n / blocks.get(), maxPerBlock.get(), tputPass ? "PASS" : "FAIL");
      // What the four nodes together spent per committed transaction (the bench thread's signing
      // was done before the clock started), and the share of the machine this JVM got.
      if (n > 0 && cpu > 0) {
        System.out.printf("RESULT throughput_cpu cpu_ms=%.0f cpu_ms_per_tx=%.3f (all four nodes) cores_used=%.2f of %d%n",
            cpu / 1e6, cpu / 1e6 / n, cpu / 1e9 / wall, Runtime.getRuntime().availableProcessors());
        double checkMsPerTx = 4 * 1e3 / checkRate[1];
        System.out.printf("RESULT throughput_vs_ceiling measured/ceiling=%.3f (ceiling %.0f tx/s); of the %.3f ms CPU"
            + " per tx, the four signature checks take %.3f ms (%.0f%%); target/ceiling=%.2f%n",
            rate / ceiling, ceiling, cpu / 1e6 / n, checkMsPerTx, 100 * checkMsPerTx / (cpu / 1e6 / n), 5000 / ceiling);
      }
      printPhases(net, "throughput");
      net.assertNoFork();
      System.out.println("RESULT no_fork heights_checked=" + net.maxHeight());
    } finally {
      net.close();
      if (!"1".equals(System.getenv("BENCH_KEEP"))) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
    System.out.println("OVERALL " + (allPass ? "PASS" : "FAIL"));
    System.exit(allPass ? 0 : 3);
  }

  /**
   * Each node's phase breakdown (status "phases_ms": p50/p99 over its last applied blocks) and the
   * links' rejection counters (a per-peer rate limit drops messages silently at debug level).
   */
  private static void printPhases(TestNetwork net, String after) {
    for (TestNetwork.Member m : net.upNodes()) {
      JsonObject st = net.status(m.index);
      JsonObject ph = st.getJsonObject("phases_ms", new JsonObject());
      StringBuilder sb = new StringBuilder("PHASES after=" + after + " node=" + m.index + " role=" + st.getString("role")
          + " view=" + st.getLong("view") + " blocks=" + ph.getLong("blocks", 0L));
      for (String k : List.of("build", "validate", "prepare", "commit", "append", "total")) {
        JsonObject v = ph.getJsonObject(k);
        if (v != null) {
          sb.append(String.format(" %s=%.2f/%.2f", k, v.getDouble("p50"), v.getDouble("p99")));
        }
      }
      JsonObject peers = TestNetwork.await(m.vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().peersStatus(),
          new JsonObject()), TestNetwork.WAIT).body();
      sb.append(" link_rejections=").append(peers.getJsonObject("rejections", new JsonObject()).encode());
      sb.append(" consensus_rejected=").append(st.getJsonObject("rejected", new JsonObject()).encode());
      JsonObject ledger = TestNetwork.await(m.vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().stats(),
          new JsonObject()), TestNetwork.WAIT).body();
      sb.append(" ledger=").append(ledger.encode());
      System.out.println(sb);
    }
  }

  /** Latency samples: n transactions from node 0's key submitted back to back, until all committed on node 0. */
  private static final class Sampler {
    private final TestNetwork net;
    private final Map<Long, Promise<Long>> pending;
    private final long[] nonces;
    private final String payloadHex;
    private final long gapMs;
    int failed;

    Sampler(TestNetwork net, Map<Long, Promise<Long>> pending, long[] nonces, String payloadHex, long gapMs) {
      this.net = net;
      this.pending = pending;
      this.nonces = nonces;
      this.payloadHex = payloadHex;
      this.gapMs = gapMs;
    }

    /** Sorted latencies in ms of {@code samples} samples after {@code warmup} uncounted ones. */
    double[] run(int samples, int n, int warmup) throws InterruptedException {
      List<Double> out = new ArrayList<>();
      long start = System.nanoTime();
      for (int s = -warmup; s < samples; s++) {
        if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(120)) {
          System.out.println("WARN latency phase stopped at its 120 s bound after " + s + " samples");
          break;
        }
        List<Promise<Long>> ps = new ArrayList<>();
        List<Transaction> txs = new ArrayList<>();
        long ts = System.currentTimeMillis() / 1000;
        for (int k = 0; k < n; k++) {
          long nonce = ++nonces[0];
          txs.add(Transaction.sign(net.keys.get(0), TestNetwork.CHAIN, nonce, ts, new Payload.Data(payloadHex)));
          Promise<Long> p = Promise.promise();
          pending.put(nonce, p);
          ps.add(p);
        }
        long sent = System.nanoTime();
        try {
          for (Transaction tx : txs) {
            net.node(0).vertx.eventBus().request(NodeAddresses.DEFAULT.api().chainSubmit(),
                new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8)));
          }
          long done = 0;
          for (Promise<Long> p : ps) {
            done = Math.max(done, TestNetwork.await(p.future(), Duration.ofSeconds(10)));
          }
          if (s >= 0) {
            out.add((done - sent) / 1e6);
          }
        } catch (AssertionError e) {
          txs.forEach(tx -> pending.remove(tx.nonce()));
          if (s >= 0) {
            failed++;
          }
        }
        Thread.sleep(gapMs); // a benchmark's pacing, not synchronisation: the next sample starts on a quiet chain
      }
      return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
  }

  /**
   * Single-thread rate of the signature check every node makes per transaction: {per wall second,
   * per second of this thread's CPU}. Fresh transactions (nothing cached), warmed up first.
   */
  private static double[] txCheckRate(org.kinmesh.crypto.Identity key, String payloadHex, double warmSecs,
      double measureSecs) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      txs.add(Transaction.sign(key, TestNetwork.CHAIN, 1_000_000 + i, 1_700_000_000L, new Payload.Data(payloadHex)));
    }
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long warmUntil = System.nanoTime() + (long) (warmSecs * 1e9);
    while (System.nanoTime() < warmUntil) {
      txs.forEach(Transaction::signatureValid);
    }
    long cpu0 = mx.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long until = t0 + (long) (measureSecs * 1e9);
    long checks = 0;
    while (System.nanoTime() < until) {
      for (Transaction tx : txs) {
        if (!tx.signatureValid()) {
          throw new IllegalStateException("a freshly signed transaction does not verify");
        }
      }
      checks += txs.size();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
    return new double[] {checks / wall, checks / Math.max(cpu, 1e-9)};
  }

  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  private static double pct(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }
}
