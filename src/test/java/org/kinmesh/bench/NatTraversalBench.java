package org.kinmesh.bench;

import static org.kinmesh.lab.NatLab.spec;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.lab.LabChain;
import org.kinmesh.lab.LabProcess;
import org.kinmesh.lab.MatrixRun;
import org.kinmesh.lab.NatLab;
import org.kinmesh.lab.NatLab.Kind;
import org.kinmesh.lab.NatMatrix;
import org.kinmesh.lab.PathLog;

/**
 * The NAT traversal benchmark (bench/nat-bench.sh, BENCHMARKS.md "NAT traversal"), on real Linux
 * NATs in the NAT lab (needs root). Modes:
 *
 * <ul>
 *   <li>{@code matrix RUNS WINDOW_SECS [five|pairs]}: RUNS fresh labs with one node behind each
 *       NAT kind ("five", the default) or two ("pairs": every kind pair, same-kind ones too) and
 *       the relay; per run the kind × kind matrix (direct or relayed, from every node's /peers)
 *       and, per direct pair, the time to the direct path once both sides knew each other's
 *       endpoints (from the nodes' {@code op=punch.ok} log lines); then medians and p90 over
 *       all pairs of all runs.
 *   <li>{@code commit SAMPLES ROUNDS}: one four-node lab (open, full cone, restricted,
 *       port-restricted: every pair can be direct), its chain run with the default path policy
 *       and again with {@code force_relay: true} on every node, ROUNDS times each, alternating;
 *       in every run a client inside each node's namespace submits SAMPLES transactions, one
 *       at a time, to its own node's API; commit times come from every node's {@code op=commit}
 *       log line. Medians side by side and their ratio.
 *   <li>{@code probe API_PORT KEY_FILE SAMPLES}: that client (run by {@code commit} inside a lab
 *       namespace; never run it toward lab addresses from the host namespace).
 * </ul>
 *
 * Output lines starting with "RESULT" are what the script summarises.
 */
public final class NatTraversalBench {
  private static final List<NatLab.Spec> FIVE_KINDS = List.of(spec("open", Kind.OPEN), spec("fc", Kind.FULL_CONE),
      spec("rc", Kind.RESTRICTED), spec("prc", Kind.PORT_RESTRICTED), spec("sym", Kind.SYMMETRIC));
  /** Two of each kind, each behind its own router: every kind pair, the same-kind ones too. */
  private static final List<NatLab.Spec> TWO_OF_EACH = List.of(spec("o1", Kind.OPEN), spec("o2", Kind.OPEN),
      spec("f1", Kind.FULL_CONE), spec("f2", Kind.FULL_CONE), spec("r1", Kind.RESTRICTED),
      spec("r2", Kind.RESTRICTED), spec("p1", Kind.PORT_RESTRICTED), spec("p2", Kind.PORT_RESTRICTED),
      spec("s1", Kind.SYMMETRIC), spec("s2", Kind.SYMMETRIC));
  private static final List<NatLab.Spec> FOUR_DIRECT = List.of(spec("open", Kind.OPEN), spec("fc", Kind.FULL_CONE),
      spec("rc", Kind.RESTRICTED), spec("prc", Kind.PORT_RESTRICTED));
  /** Commit bench: a short block interval, so the wait for the next block does not hide the paths. */
  private static final int COMMIT_BLOCK_INTERVAL_MS = 20;

  private NatTraversalBench() {}

  public static void main(String[] args) throws Exception {
    try {
      String mode = args.length == 0 ? "" : args[0];
      switch (mode) {
        case "matrix" -> matrix(intArg(args, 1, "RUNS", 1, 50), intArg(args, 2, "WINDOW_SECS", 10, 600),
            labArg(args.length > 3 ? args[3] : "five"));
        case "commit" -> commit(intArg(args, 1, "SAMPLES", 5, 1000), intArg(args, 2, "ROUNDS", 1, 10));
        case "probe" -> probe(intArg(args, 1, "API_PORT", 1, 65_535), Path.of(arg(args, 2, "KEY_FILE")),
            intArg(args, 3, "SAMPLES", 1, 10_000));
        default -> throw new IllegalArgumentException("usage: NatTraversalBench matrix RUNS WINDOW_SECS [five|pairs]"
            + " | commit SAMPLES ROUNDS | probe API_PORT KEY_FILE SAMPLES");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("NatTraversalBench: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  private static List<NatLab.Spec> labArg(String s) {
    return switch (s) {
      case "five" -> FIVE_KINDS;
      case "pairs" -> TWO_OF_EACH;
      default -> throw new IllegalArgumentException("LAB must be five (one node per NAT kind) or pairs (two per"
          + " kind), got '" + s + "'");
    };
  }

  private static String arg(String[] args, int i, String name) {
    if (args.length <= i) {
      throw new IllegalArgumentException(name + " missing");
    }
    return args[i];
  }

  private static int intArg(String[] args, int i, String name, int min, int max) {
    String s = arg(args, i, name);
    try {
      int v = Integer.parseInt(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + s + "'");
    }
  }

  private static void say(String s) {
    System.out.println("[" + LocalTime.now().withNano(0) + "] " + s);
    System.out.flush();
  }

  private static void requireLab() {
    Optional<String> why = NatLab.unavailableReason();
    if (why.isPresent()) {
      System.err.println("NatTraversalBench: the NAT lab cannot run here: " + why.get()
          + " (it needs root with iproute2, nftables, coturn and conntrack; bin/test installs them)");
      System.exit(2);
    }
  }

  // ---- matrix and time to direct ----

  private static void matrix(int runs, int windowSecs, List<NatLab.Spec> specs) throws Exception {
    requireLab();
    Path base = Files.createTempDirectory("nat-bench-matrix");
    List<Long> punchMs = new ArrayList<>();
    List<Long> trafficMs = new ArrayList<>();
    Map<String, List<String>> outcomes = new LinkedHashMap<>();
    Map<String, List<Long>> cellPunch = new LinkedHashMap<>();
    NatMatrix all = new NatMatrix();
    for (int r = 1; r <= runs; r++) {
      say("matrix run " + r + "/" + runs + ": " + specs.size() + " nodes: " + specs.stream()
          .map(sp -> sp.name() + ":" + sp.kind().label()).toList());
      try (MatrixRun run = MatrixRun.start(specs, base.resolve("run" + r), NatTraversalBench::say)) {
        NatMatrix m = run.observe(Duration.ofSeconds(windowSecs));
        m.cells().forEach(all::add);
        System.out.println("run " + r + " matrix (cell: path, time to direct once both sides knew the endpoints):");
        System.out.print(m.table());
        System.out.print(m.details());
        run.history().forEach(h -> System.out.println("  history " + h));
        for (NatMatrix.Cell c : m.cells()) {
          String key = c.ka().ordinal() <= c.kb().ordinal() ? c.ka().label() + "-" + c.kb().label()
              : c.kb().label() + "-" + c.ka().label();
          outcomes.computeIfAbsent(key, k -> new ArrayList<>()).add(c.outcome().text());
          if (c.outcome() == NatMatrix.Outcome.DIRECT && c.timing().isPresent()) {
            PathLog.PairTiming t = c.timing().get();
            punchMs.add(t.punchMs());
            cellPunch.computeIfAbsent(key, k -> new ArrayList<>()).add(t.punchMs());
            t.trafficMs().ifPresent(trafficMs::add);
            System.out.printf(Locale.ROOT, "RESULT punch run=%d pair=%s punch_ms=%d traffic_ms=%s%n", r, key,
                t.punchMs(), t.trafficMs().map(String::valueOf).orElse("-"));
          }
          System.out.printf(Locale.ROOT, "RESULT cell run=%d pair=%s outcome=%s expected=%s path_ab=%s path_ba=%s%n",
              r, key, c.outcome().text(), c.expected().text(), c.ab().path(), c.ba().path());
        }
        long h = run.chain().assertSameChain(run.chain().hosts());
        say("run " + r + ": every node holds the same block at height " + h);
      }
    }
    System.out.println();
    System.out.println("all runs (cell: outcome, median time to direct over the pairs of those kinds):");
    System.out.print(all.table());
    System.out.println("summary over " + runs + " run(s):");
    for (Map.Entry<String, List<String>> e : outcomes.entrySet()) {
      List<Long> p = cellPunch.getOrDefault(e.getKey(), List.of());
      System.out.printf(Locale.ROOT, "RESULT pair=%s outcomes=%s punch_median_ms=%s%n", e.getKey(),
          String.join(",", e.getValue()), p.isEmpty() ? "-" : fmt(NatMatrix.median(p)));
    }
    System.out.printf(Locale.ROOT, "RESULT time_to_direct samples=%d median_ms=%s p90_ms=%s max_ms=%s"
        + " traffic_median_ms=%s traffic_p90_ms=%s%n", punchMs.size(), fmt(NatMatrix.median(punchMs)),
        fmt(NatMatrix.percentile(punchMs, 90)), fmt(NatMatrix.percentile(punchMs, 100)),
        fmt(NatMatrix.median(trafficMs)), fmt(NatMatrix.percentile(trafficMs, 90)));
    System.out.println("logs kept in " + base);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  // ---- commit latency, direct vs relayed ----

  private record Sample(String host, long nonce, long submitMs, long height) {}

  private static void commit(int samples, int rounds) throws Exception {
    requireLab();
    Path base = Files.createTempDirectory("nat-bench-commit");
    Map<String, List<Long>> own = new LinkedHashMap<>();
    Map<String, List<Long>> all = new LinkedHashMap<>();
    for (String mode : List.of("direct", "relayed")) {
      own.put(mode, new ArrayList<>());
      all.put(mode, new ArrayList<>());
    }
    try (NatLab lab = NatLab.up(FOUR_DIRECT)) {
      List<String> hosts = FOUR_DIRECT.stream().map(NatLab.Spec::name).toList();
      int n = 0;
      for (int r = 1; r <= rounds; r++) {
        for (String mode : List.of("direct", "relayed")) {
          n++;
          boolean forceRelay = mode.equals("relayed");
          say("commit run " + n + ": round " + r + ", " + (forceRelay ? "force_relay: true" : "default policy")
              + " on every node (lab " + lab.runId() + ")");
          for (String h : hosts) {
            String router = lab.host(h).router();
            if (router != null) {
              lab.flushConntrack(router); // no NAT state left from the previous run
            }
          }
          try (LabChain chain = new LabChain(lab, base.resolve("run" + n + "-" + mode), hosts)) {
            try {
              runCommit(lab, chain, hosts, forceRelay, samples, mode, own.get(mode), all.get(mode));
            } finally {
              chain.saveLogs();
            }
          }
        }
      }
    }
    System.out.println();
    for (String mode : own.keySet()) {
      System.out.printf(Locale.ROOT, "RESULT commit mode=%s samples=%d own_median_ms=%s own_p90_ms=%s"
          + " all_median_ms=%s all_p90_ms=%s%n", mode, own.get(mode).size(), fmt(NatMatrix.median(own.get(mode))),
          fmt(NatMatrix.percentile(own.get(mode), 90)), fmt(NatMatrix.median(all.get(mode))),
          fmt(NatMatrix.percentile(all.get(mode), 90)));
    }
    double ownRatio = NatMatrix.median(own.get("relayed")) / NatMatrix.median(own.get("direct"));
    double allRatio = NatMatrix.median(all.get("relayed")) / NatMatrix.median(all.get("direct"));
    System.out.printf(Locale.ROOT, "RESULT commit_ratio own=%.2f all=%.2f%n", ownRatio, allRatio);
    System.out.println("logs kept in " + base);
  }

  private static void runCommit(NatLab lab, LabChain chain, List<String> hosts, boolean forceRelay, int samples,
      String mode, List<Long> own, List<Long> all) throws Exception {
    chain.startRelay();
    for (String h : hosts) {
      chain.startNode(h, c -> {
        c.put("block_interval_ms", COMMIT_BLOCK_INTERVAL_MS);
        if (forceRelay) {
          c.put("force_relay", true);
        }
      });
    }
    chain.awaitAll(hosts, h -> chain.height(h) >= 2, Duration.ofSeconds(180), "every node commits height 2");
    // Measure only once every pair uses the path this run is about.
    chain.await(() -> hosts.stream().allMatch(a -> hosts.stream().filter(b -> !a.equals(b))
        .allMatch(b -> forceRelay ? chain.path(a, b).equals("relayed") : chain.path(a, b).startsWith("direct"))),
        Duration.ofSeconds(120), "every pair on its " + mode + " path");
    say("every pair " + mode + ": " + paths(chain, hosts));
    List<Sample> sent = new ArrayList<>();
    for (String h : hosts) {
      sent.addAll(runProbe(lab, chain, h, samples));
    }
    // Every path still what it was (a pair that fell back mid-run would blur the comparison).
    say("after the samples: " + paths(chain, hosts));
    Map<String, PathLog> logs = new LinkedHashMap<>();
    for (String h : hosts) {
      logs.put(h, PathLog.parse(chain.log(h)));
    }
    int missing = 0;
    for (Sample s : sent) {
      long submitted = msOfDay(s.submitMs());
      Optional<PathLog.Commit> mine = logs.get(s.host()).commit(s.height());
      long last = Long.MIN_VALUE;
      boolean everyNode = true;
      for (PathLog log : logs.values()) {
        Optional<PathLog.Commit> c = log.commit(s.height());
        everyNode &= c.isPresent();
        last = c.isPresent() ? Math.max(last, c.get().atMs()) : last;
      }
      if (mine.isEmpty() || !everyNode) {
        missing++;
        continue;
      }
      long ownMs = dayDiff(mine.get().atMs(), submitted);
      long allMs = dayDiff(last, submitted);
      own.add(ownMs);
      all.add(allMs);
      System.out.printf(Locale.ROOT, "RESULT tx mode=%s host=%s height=%d own_ms=%d all_ms=%d%n", mode, s.host(),
          s.height(), ownMs, allMs);
    }
    if (missing > 0) {
      say("WARNING: " + missing + " transaction(s) without a commit line on every node; left out");
    }
    long h = chain.assertSameChain(hosts);
    say(mode + " run: " + sent.size() + " transactions; every node holds the same block at height " + h);
  }

  private static String paths(LabChain chain, List<String> hosts) {
    StringBuilder sb = new StringBuilder();
    for (String a : hosts) {
      chain.peers(a).forEach((b, e) -> sb.append(a).append("->").append(b).append('=').append(e.getString("path"))
          .append(' '));
    }
    return sb.toString().strip();
  }

  /** Runs the client inside host's namespace against its own node; returns what it submitted. */
  private static List<Sample> runProbe(NatLab lab, LabChain chain, String host, int samples) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), NatTraversalBench.class.getName(), "probe",
        Integer.toString(chain.apiPort(host)), chain.keyFile(host).toString(), Integer.toString(samples));
    LabProcess p = lab.spawn(host, cmd);
    try {
      List<String> out = p.awaitOutput(Duration.ofSeconds(60L + samples * 5L));
      int code = p.waitFor(Duration.ofSeconds(10));
      if (code != 0) {
        throw new IllegalStateException("probe on " + host + " exited " + code + ": " + p.stderr());
      }
      List<Sample> sent = new ArrayList<>();
      for (String line : out) {
        if (line.startsWith("TX ")) {
          Map<String, String> kv = fields(line);
          sent.add(new Sample(host, Long.parseLong(kv.get("nonce")), Long.parseLong(kv.get("submit_ms")),
              Long.parseLong(kv.get("height"))));
        }
      }
      say("probe on " + host + ": " + sent.size() + " transactions committed");
      return sent;
    } finally {
      p.close();
    }
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : line.split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return kv;
  }

  /** Epoch milliseconds as milliseconds of the local day, the clock the nodes' log lines use. */
  static long msOfDay(long epochMs) {
    return Instant.ofEpochMilli(epochMs).atZone(ZoneId.systemDefault()).toLocalTime().toNanoOfDay() / 1_000_000L;
  }

  /** later - earlier on a clock of the day, across midnight if need be. */
  static long dayDiff(long later, long earlier) {
    long d = later - earlier;
    return d < -PathLog.DAY_MS / 2 ? d + PathLog.DAY_MS : d;
  }

  // ---- the client, inside a lab namespace ----

  /**
   * Submits SAMPLES 256-byte DATA transactions signed with the node's key, one at a time, each
   * after a random 50-150 ms pause (so submissions do not lock to the block timer), and waits
   * for each to appear in a committed block; prints "TX i nonce=N submit_ms=T height=H".
   */
  private static void probe(int apiPort, Path keyFile, int samples) throws Exception {
    Identity key = KeyFiles.load(keyFile);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String api = "http://127.0.0.1:" + apiPort;
    JsonObject status = new JsonObject(get(http, api + "/status").orElseThrow(() ->
        new IllegalStateException("no /status from " + api)));
    String chainId = status.getString("blockchain_id");
    long next = status.getLong("height") + 1;
    String payload = HexFormat.of().formatHex(new byte[256]);
    long nonceBase = System.currentTimeMillis() * 1000;
    for (int i = 1; i <= samples; i++) {
      Thread.sleep(ThreadLocalRandom.current().nextLong(50, 150));
      long nonce = nonceBase + i;
      Transaction tx = Transaction.sign(key, chainId, nonce, System.currentTimeMillis() / 1000,
          new Payload.Data(payload));
      long submitted = System.currentTimeMillis();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/transactions"))
          .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(tx.toJsonBytes())).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 202) {
        throw new IllegalStateException("POST /transactions answered " + r.statusCode() + ": " + r.body());
      }
      long deadline = System.currentTimeMillis() + 30_000;
      long height = -1;
      while (height < 0) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("transaction " + i + " not committed within 30 s");
        }
        Optional<String> block = get(http, api + "/blocks/" + next);
        if (block.isEmpty()) {
          Thread.sleep(10);
          continue;
        }
        JsonArray txs = new JsonObject(block.get()).getJsonArray("transactions");
        for (Object o : txs) {
          JsonObject t = (JsonObject) o;
          if (key.publicKeyHex().equals(t.getString("sender")) && t.getLong("nonce") == nonce) {
            height = next;
          }
        }
        next++;
      }
      System.out.printf(Locale.ROOT, "TX %d nonce=%d submit_ms=%d height=%d%n", i, nonce, submitted, height);
    }
    System.out.flush();
  }

  private static Optional<String> get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET()
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
  }
}
