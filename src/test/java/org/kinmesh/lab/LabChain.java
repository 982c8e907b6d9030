package org.kinmesh.lab;

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
import java.util.function.Consumer;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;

/**
 * One blockchain in a NAT lab: a key per lab host, a genesis naming them all as consensus nodes,
 * the relay in the lab's relay slot and a `kinmesh node` process per host, each in its own
 * namespace (the set-up of NatTraversalLabTest, shared by the matrix test and the NAT bench).
 * Nodes are read only from inside their namespace (curl through {@link NatLab#exec}), never from
 * the calling JVM. Closing it stops the processes it started; the lab itself stays up.
 */
public final class LabChain implements AutoCloseable {
  public static final String CHAIN = "family_lab";
  public static final int UDP_PORT = 7070;
  public static final Duration START = Duration.ofSeconds(90);

  private final NatLab lab;
  private final Path dir;
  private final Map<String, Identity> keys = new LinkedHashMap<>();
  private final Map<String, LabProcess> nodes = new LinkedHashMap<>();
  private final Path genesisFile;
  private LabProcess relay;

  /** Writes keys and a genesis for these lab hosts into dir (a fresh directory per chain). */
  public LabChain(NatLab lab, Path dir, List<String> hosts) throws Exception {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a chain needs at least one host");
    }
    this.lab = lab;
    this.dir = dir;
    Files.createDirectories(dir);
    Identity guardian = Identity.generate();
    List<GenesisSpec.ConsensusNode> cn = new ArrayList<>();
    for (String h : hosts) {
      lab.host(h); // fails at once on a host the lab does not have
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

  public List<String> hosts() {
    return List.copyOf(keys.keySet());
  }

  public Identity key(String host) {
    Identity k = keys.get(host);
    if (k == null) {
      throw new IllegalArgumentException("no node '" + host + "' in this chain; it has " + keys.keySet());
    }
    return k;
  }

  /** The host whose key starts with this short id (as logs name peers), or null. */
  public String hostOfShortId(String shortId) {
    for (Map.Entry<String, Identity> e : keys.entrySet()) {
      if (e.getValue().publicKeyHex().startsWith(shortId)) {
        return e.getKey();
      }
    }
    return null;
  }

  public Path dir() {
    return dir;
  }

  public Path keyFile(String host) {
    key(host);
    return dir.resolve(host + ".key");
  }

  public String relayUrl() {
    return "http://" + lab.relayIp() + ":5050";
  }

  /** Starts the relay (genesis bootstrap, STUN responder) and waits for its /health. */
  public void startRelay() throws Exception {
    if (relay != null) {
      throw new IllegalStateException("the relay is already running");
    }
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, new JsonObject().put("listen_addr", lab.relayIp() + ":5050")
        .put("db_path", dir.resolve("relay.db").toString()).put("http_instances", 1)
        .put("stun_listen", lab.relayIp() + ":3478").put("stun_alternate", lab.relayAlternateIp())
        .put("bootstrap", new JsonArray().add(genesisFile.toString())).encodePrettily());
    relay = lab.spawn("relay", javaCommand("relay", "-conf", conf.toString()));
    await(() -> lab.exec("relay", List.of("curl", "-sf", "-m", "5", relayUrl() + "/health")).exit() == 0, START,
        "relay answers /health");
  }

  /**
   * The node config the acceptance test uses; {@code tweak} may change it (force_relay,
   * block_interval_ms, ...) before it is written.
   */
  public JsonObject nodeConfig(String host) {
    JsonArray stun = new JsonArray();
    lab.stunServers().forEach(a -> stun.add(a.getHostString() + ":" + a.getPort()));
    return new JsonObject().put("identity_path", keyFile(host).toString())
        .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve(host).toString())
        .put("api_listen", "0.0.0.0:0").put("gossip_udp_port", UDP_PORT).put("relay_url", relayUrl())
        .put("stun_servers", stun).put("block_interval_ms", 200).put("empty_block_interval_ms", 1000)
        .put("intervals", new JsonObject().put("view_change_timeout_ms", 4000).put("peer_retry_max_secs", 5));
  }

  /** Starts a node with {@link #nodeConfig} changed by tweak; returns once its API port file exists. */
  public void startNode(String host, Consumer<JsonObject> tweak) throws Exception {
    if (nodes.containsKey(host)) {
      throw new IllegalStateException("node '" + host + "' is already running");
    }
    JsonObject c = nodeConfig(host);
    tweak.accept(c);
    Path conf = dir.resolve(host + ".json");
    Files.writeString(conf, c.encodePrettily());
    nodes.put(host, lab.spawn(host, javaCommand("node", "-conf", conf.toString())));
    await(() -> Files.exists(dir.resolve(host).resolve("api.port")), START, host + " API up");
  }

  public void startNode(String host) throws Exception {
    startNode(host, c -> { });
  }

  /** The node's API port (inside its namespace). */
  public int apiPort(String host) {
    try {
      return Integer.parseInt(Files.readString(dir.resolve(host).resolve("api.port")).trim());
    } catch (Exception e) {
      throw new IllegalStateException(host + " has no API port yet: " + e.getMessage(), e);
    }
  }

  /** Everything the node logged so far (kinmesh logs to stderr). */
  public String log(String host) {
    LabProcess p = nodes.get(host);
    if (p == null) {
      throw new IllegalArgumentException("node '" + host + "' is not running");
    }
    return p.stderr();
  }

  public String relayLog() {
    return relay == null ? "" : relay.stderr();
  }

  /**
   * kinmesh on this JVM's classpath, tuned for several JVMs starting on two cores, logging at
   * INFO (the test classpath's logback-test.xml would say WARN): the punch and path-change lines
   * are what the matrix and the bench read.
   */
  private List<String> javaCommand(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(NatLab.kinmeshCommand(args));
    cmd.addAll(1, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
        "-Dlogback.configurationFile=" + logbackConfig()));
    return cmd;
  }

  /**
   * The nodes' logback config: INFO for org.kinmesh, DEBUG for the loggers named (simple class
   * names of org.kinmesh.node.link, .punch, .gossip) in -Dkinmesh.lab.debug=A,B (for diagnosis).
   */
  private Path logbackConfig() throws Exception {
    Path f = dir.resolve("logback.xml");
    if (!Files.exists(f)) {
      StringBuilder debug = new StringBuilder();
      for (String name : System.getProperty("kinmesh.lab.debug", "").split(",")) {
        if (name.matches("[A-Za-z]+")) {
          for (String pkg : List.of("org.kinmesh.node.link.", "org.kinmesh.punch.", "org.kinmesh.gossip.")) {
            debug.append("  <logger name=\"").append(pkg).append(name).append("\" level=\"DEBUG\"/>\n");
          }
        }
      }
      Files.writeString(f, """
          <configuration>
            <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
              <target>System.err</target>
              <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n</pattern></encoder>
            </appender>
            <logger name="org.kinmesh" level="INFO"/>
          """ + debug + """
            <root level="WARN"><appender-ref ref="STDERR"/></root>
          </configuration>
          """);
    }
    return f;
  }

  // ---- reading nodes, from inside their namespace ----

  /** GET on the node's API through curl in its namespace; a JSON array comes back as {"list": [...]}; null on failure. */
  public JsonObject get(String host, String path) {
    try {
      NatLab.ExecResult r = lab.exec(host, List.of("curl", "-sf", "-m", "5",
          "http://127.0.0.1:" + apiPort(host) + path));
      if (r.exit() != 0 || r.out().isBlank()) {
        return null;
      }
      String body = r.out().trim();
      return body.startsWith("[") ? new JsonObject().put("list", new JsonArray(body)) : new JsonObject(body);
    } catch (RuntimeException e) {
      return null;
    }
  }

  public long height(String host) {
    JsonObject s = get(host, "/status");
    return s == null ? -1 : s.getLong("height", -1L);
  }

  /** The node's /peers by peer host name (peers not in this chain are left out); empty when unreadable. */
  public Map<String, JsonObject> peers(String host) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    JsonObject p = get(host, "/peers");
    if (p != null) {
      for (Object o : p.getJsonArray("list")) {
        JsonObject e = (JsonObject) o;
        String peer = hostOfPubkey(e.getString("pubkey"));
        if (peer != null) {
          out.put(peer, e);
        }
      }
    }
    return out;
  }

  private String hostOfPubkey(String pubkey) {
    for (Map.Entry<String, Identity> e : keys.entrySet()) {
      if (e.getValue().publicKeyHex().equals(pubkey)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The path host uses to reach peer ("?" when unknown). */
  public String path(String host, String peer) {
    JsonObject e = peers(host).get(peer);
    return e == null ? "?" : e.getString("path", "?");
  }

  /** Fails unless every given node holds the same block at the lowest height they all reached. */
  public long assertSameChain(List<String> hosts) {
    long common = Long.MAX_VALUE;
    for (String h : hosts) {
      common = Math.min(common, height(h));
    }
    if (common <= 0) {
      throw new AssertionError("not every node committed a block: lowest height " + common);
    }
    String hash = null;
    for (String h : hosts) {
      JsonObject b = get(h, "/blocks/" + common);
      if (b == null) {
        throw new AssertionError(h + " cannot show block " + common);
      }
      if (hash == null) {
        hash = b.getString("hash");
      } else if (!hash.equals(b.getString("hash"))) {
        throw new AssertionError(h + " has a different block " + common + ": " + b.getString("hash") + " vs " + hash);
      }
    }
    return common;
  }

  public void awaitAll(List<String> hosts, java.util.function.Predicate<String> check, Duration bound, String what) {
    await(() -> hosts.stream().allMatch(check), bound, what);
  }

  /**
   * Polls state held by other processes (node JVMs in other namespaces: nothing to subscribe to
   * from here) until it holds or the bound passes; the failure carries each node's status, peers
   * and log tail.
   */
  public void await(BooleanSupplier cond, Duration bound, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + bound.toSeconds() + " s waiting for: " + what + "\n"
            + diagnostics());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  public String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (String h : nodes.keySet()) {
      sb.append(h).append(" status ").append(get(h, "/status")).append('\n');
      sb.append(h).append(" peers ").append(get(h, "/peers")).append('\n');
      String err = nodes.get(h).stderr();
      sb.append(h).append(" log tail:\n").append(err.substring(Math.max(0, err.length() - 3000))).append('\n');
    }
    return sb.toString();
  }

  /** Copies every process's log into dir (kept for a failure's post-mortem). */
  public void saveLogs() {
    try {
      for (Map.Entry<String, LabProcess> n : nodes.entrySet()) {
        Files.writeString(dir.resolve(n.getKey() + ".stderr"), n.getValue().stderr());
      }
      if (relay != null) {
        Files.writeString(dir.resolve("relay.stderr"), relay.stderr());
      }
    } catch (Exception e) {
      System.err.println("could not save logs in " + dir + ": " + e.getMessage());
    }
  }

  /** Stops every node, then the relay (SIGTERM, SIGKILL after 5 s each). */
  @Override
  public void close() {
    nodes.values().forEach(LabProcess::close);
    if (relay != null) {
      relay.close();
    }
  }
}
