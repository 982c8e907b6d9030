package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;
import static org.kinmesh.lab.NatLab.spec;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;

/**
 * The acceptance of the whole design (issue 7), on real Linux NATs: a relay and coturn on the
 * lab's "internet", four nodes behind NATs of different kinds, each node a real `kinmesh node`
 * process in its own network namespace. Public and cone peers talk directly (punched, not
 * relayed), pairs that cannot be direct are relayed, a symmetric node joining never stalls
 * consensus, and a cut direct path moves to the relay and back. Writes what it saw to
 * target/nat-traversal-*.txt (the matrix in docs/nat-traversal.md comes from there).
 */
class NatTraversalLabTest {
  private static final String CHAIN = "family_lab";
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration PATHS = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  private NatLab lab;
  private final Map<String, Identity> keys = new LinkedHashMap<>();
  private final Map<String, LabProcess> nodes = new LinkedHashMap<>();
  private Path genesisFile;
  private final StringBuilder report = new StringBuilder();

  @BeforeEach
  void requireLab() {
    NatLab.assumeAvailable();
  }

  @AfterEach
  void down() throws Exception {
    if (lab != null) {
      for (Map.Entry<String, LabProcess> n : nodes.entrySet()) {
        Path err = dir.resolve(n.getKey() + ".stderr");
        Files.writeString(err, n.getValue().stderr());
      }
      lab.close();
    }
  }

  @Test
  void publicConeAndSymmetricNodesCommitTogetherOverDirectAndRelayedPaths() throws Exception {
    lab = NatLab.up(spec("pub", OPEN), spec("c1", PORT_RESTRICTED), spec("c2", PORT_RESTRICTED),
        spec("s1", SYMMETRIC));
    setUp(List.of("pub", "c1", "c2", "s1"));
    startRelay();
    for (String h : List.of("pub", "c1", "c2")) {
      startNode(h);
    }
    // Three of four is a quorum: the chain moves before the symmetric node exists.
    awaitAll(List.of("pub", "c1", "c2"), h -> height(h) >= 2, START, "three nodes commit height 2");
    long before = height("pub");
    startNode("s1");
    awaitAll(List.of("pub", "c1", "c2", "s1"), h -> height(h) >= before + 3, START,
        "every node commits 3 more blocks after the symmetric node joined");

    expectPaths(Map.of("pub-c1", "direct", "pub-c2", "direct", "c1-c2", "direct", "pub-s1", "direct",
        "c1-s1", "relayed", "c2-s1", "relayed"));
    record("scenario 1 paths", List.of("pub", "c1", "c2", "s1"));

    // Cut the cone-to-cone path: the pair moves to the relay, consensus goes on; lift it: back.
    long cutAt = System.nanoTime();
    lab.cut("c1", "c2");
    awaitAll(List.of("c1", "c2"), h -> path(h, h.equals("c1") ? "c2" : "c1").equals("relayed"),
        Duration.ofSeconds(30), "c1 and c2 relayed after the cut");
    long movedMs = (System.nanoTime() - cutAt) / 1_000_000;
    report.append("cut c1-c2: relayed after ").append(movedMs).append(" ms\n");
    assertThat(movedMs).as("moved to the relay within ~7 s (plus polling)").isLessThan(12_000);
    long atCut = height("pub");
    awaitAll(List.of("pub", "c1", "c2", "s1"), h -> height(h) >= atCut + 2, START, "commits go on during the cut");
    long uncutAt = System.nanoTime();
    lab.uncut("c1", "c2");
    awaitAll(List.of("c1", "c2"), h -> path(h, h.equals("c1") ? "c2" : "c1").startsWith("direct"),
        Duration.ofSeconds(120), "c1 and c2 direct again after the cut is lifted");
    report.append("uncut c1-c2: direct again after ").append((System.nanoTime() - uncutAt) / 1_000_000)
        .append(" ms\n");
    assertSameChain(List.of("pub", "c1", "c2", "s1"));
    writeReport("nat-traversal-scenario1.txt");
  }

  @Test
  void twoSymmetricNodesUseTheRelayBetweenThemAndStillCommit() throws Exception {
    lab = NatLab.up(spec("pub", OPEN), spec("c1", PORT_RESTRICTED), spec("s1", SYMMETRIC), spec("s2", SYMMETRIC));
    setUp(List.of("pub", "c1", "s1", "s2"));
    startRelay();
    for (String h : List.of("pub", "c1", "s1", "s2")) {
      startNode(h);
    }
    awaitAll(List.of("pub", "c1", "s1", "s2"), h -> height(h) >= 3, START, "every node commits height 3");
    expectPaths(Map.of("pub-c1", "direct", "pub-s1", "direct", "pub-s2", "direct", "c1-s1", "relayed",
        "c1-s2", "relayed", "s1-s2", "relayed"));
    record("scenario 2 paths", List.of("pub", "c1", "s1", "s2"));
    assertSameChain(List.of("pub", "c1", "s1", "s2"));
    writeReport("nat-traversal-scenario2.txt");
  }

  // ---- set-up ----

  private void setUp(List<String> hosts) throws Exception {
    Identity guardian = Identity.generate();
    List<GenesisSpec.ConsensusNode> cn = new ArrayList<>();
    for (String h : hosts) {
      Identity k = Identity.generate();
      keys.put(h, k);
      KeyFiles.write(dir.resolve(h + ".key"), k);
      cn.add(new GenesisSpec.ConsensusNode(k.publicKeyHex(), cn.size() + 1));
    }
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams(CHAIN, 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000 - 10, List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "Mum")),
        cn));
    genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());
  }

  private String relayUrl() {
    return "http://" + lab.relayIp() + ":5050";
  }

  private void startRelay() throws Exception {
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, new JsonObject().put("listen_addr", lab.relayIp() + ":5050")
        .put("db_path", dir.resolve("relay.db").toString()).put("http_instances", 1)
        .put("stun_listen", lab.relayIp() + ":3478").put("stun_alternate", lab.relayAlternateIp())
        .put("bootstrap", new JsonArray().add(genesisFile.toString())).encodePrettily());
    LabProcess relay = lab.spawn("relay", javaCommand("relay", "-conf", conf.toString()));
    nodes.put("relay", relay);
    await(() -> lab.exec("relay", List.of("curl", "-sf", relayUrl() + "/health")).exit() == 0, START,
        "relay answers /health");
  }

  private void startNode(String host) throws Exception {
    Path conf = dir.resolve(host + ".json");
    JsonArray stun = new JsonArray();
    lab.stunServers().forEach(a -> stun.add(a.getHostString() + ":" + a.getPort()));
    Files.writeString(conf, new JsonObject().put("identity_path", dir.resolve(host + ".key").toString())
        .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve(host).toString())
        .put("api_listen", "0.0.0.0:0").put("gossip_udp_port", 7070).put("relay_url", relayUrl())
        .put("stun_servers", stun).put("block_interval_ms", 200).put("empty_block_interval_ms", 1000)
        .put("intervals", new JsonObject().put("view_change_timeout_ms", 4000).put("peer_retry_max_secs", 5))
        .encodePrettily());
    nodes.put(host, lab.spawn(host, javaCommand("node", "-conf", conf.toString())));
    await(() -> Files.exists(dir.resolve(host).resolve("api.port")), START, host + " API up");
  }

  /** kinmesh on this test's classpath, tuned for five JVMs starting on two cores. */
  private static List<String> javaCommand(String... args) {
    List<String> cmd = new ArrayList<>(NatLab.kinmeshCommand(args));
    cmd.addAll(1, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m"));
    return cmd;
  }

  // ---- reading nodes (always from inside their namespace) ----

  private JsonObject get(String host, String path) {
    try {
      String port = Files.readString(dir.resolve(host).resolve("api.port")).trim();
      NatLab.ExecResult r = lab.exec(host, List.of("curl", "-sf", "-m", "5", "http://127.0.0.1:" + port + path));
      if (r.exit() != 0 || r.out().isBlank()) {
        return null;
      }
      String body = r.out().trim();
      return body.startsWith("[") ? new JsonObject().put("list", new JsonArray(body)) : new JsonObject(body);
    } catch (Exception e) {
      return null;
    }
  }

  private long height(String host) {
    JsonObject s = get(host, "/status");
    return s == null ? -1 : s.getLong("height", -1L);
  }

  /** The path host uses to reach peer, "?" when unknown. */
  private String path(String host, String peer) {
    JsonObject p = get(host, "/peers");
    if (p == null) {
      return "?";
    }
    for (Object o : p.getJsonArray("list")) {
      JsonObject e = (JsonObject) o;
      if (keys.get(peer).publicKeyHex().equals(e.getString("pubkey"))) {
        return e.getString("path", "?");
      }
    }
    return "?";
  }

  private JsonObject peerEntry(String host, String peer) {
    JsonObject p = get(host, "/peers");
    if (p != null) {
      for (Object o : p.getJsonArray("list")) {
        JsonObject e = (JsonObject) o;
        if (keys.get(peer).publicKeyHex().equals(e.getString("pubkey"))) {
          return e;
        }
      }
    }
    return new JsonObject();
  }

  /** "a-b" → "direct" (either direct path) or "relayed", seen from both ends. */
  private void expectPaths(Map<String, String> expected) {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String[] pair = e.getKey().split("-");
      for (String[] ends : new String[][] {pair, {pair[1], pair[0]}}) {
        await(() -> path(ends[0], ends[1]).startsWith(e.getValue()), PATHS,
            ends[0] + " reaches " + ends[1] + " " + e.getValue() + " (now " + path(ends[0], ends[1]) + ")");
      }
    }
  }

  private void record(String title, List<String> hosts) {
    report.append(title).append('\n');
    for (String a : hosts) {
      for (String b : hosts) {
        if (!a.equals(b)) {
          JsonObject e = peerEntry(a, b);
          report.append(String.format("  %-4s -> %-4s %-11s rtt_ms=%s endpoint=%s why=%s%n", a, b,
              e.getString("path"), e.getValue("rtt_ms"), e.getString("endpoint"), e.getString("why")));
        }
      }
    }
  }

  private void assertSameChain(List<String> hosts) {
    long common = Long.MAX_VALUE;
    for (String h : hosts) {
      common = Math.min(common, height(h));
    }
    assertThat(common).isPositive();
    String hash = null;
    for (String h : hosts) {
      JsonObject b = get(h, "/blocks/" + common);
      assertThat(b).as(h + " has block " + common).isNotNull();
      if (hash == null) {
        hash = b.getString("hash");
      }
      assertThat(b.getString("hash")).as(h + " block " + common).isEqualTo(hash);
    }
  }

  private void writeReport(String name) throws Exception {
    Path out = Path.of("target", name);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    System.err.print(report);
  }

  private interface HostCheck {
    boolean ok(String host);
  }

  private void awaitAll(List<String> hosts, HostCheck check, Duration bound, String what) {
    await(() -> hosts.stream().allMatch(check::ok), bound, what);
  }

  /** Polls an outside process's state (another JVM in another namespace) until it holds or the bound passes. */
  private void await(BooleanSupplier cond, Duration bound, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + bound.toSeconds() + " s waiting for: " + what
            + "\n" + diagnostics());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (String h : nodes.keySet()) {
      if (h.equals("relay")) {
        continue;
      }
      sb.append(h).append(" status ").append(get(h, "/status")).append('\n');
      sb.append(h).append(" peers ").append(get(h, "/peers")).append('\n');
      String err = nodes.get(h).stderr();
      sb.append(h).append(" log tail:\n").append(err.substring(Math.max(0, err.length() - 3000))).append('\n');
    }
    return sb.toString();
  }
}
