package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.lab.NatLab.Kind.FULL_CONE;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;
import static org.kinmesh.lab.NatLab.spec;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.kinmesh.cli.Main;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.lab.NatLab.Kind;

/**
 * STUN on real Linux NATs (issue 5): our client classifies every NAT kind against coturn and
 * against the relay's own responder, coturn's client gets the right mapping from the relay, a
 * node behind each NAT shows its public endpoint and NAT type in /status, and the node's refresh
 * follows the NAT when its mapping changes. One lab; the relay and the five nodes start in
 * {@code @BeforeAll} so their JVMs warm up while the CLI tests run, and every per-host step
 * runs on all hosts at once. Skipped, saying how to run it, unless root with the lab's tools.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StunLabTest {
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(45);
  /** One host per NAT kind, each behind its own router. */
  private static final Map<String, Kind> HOSTS = new LinkedHashMap<>();
  /** A host without a node, for cutting from coturn. */
  private static final String LONE = "lone";
  /** Short-lived JVMs on a busy 2-core machine: no C2 compiles, one GC thread. */
  private static final List<String> LIGHT_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  /** The node's refresh period here: the lowest the config allows. */
  private static final int REFRESH_SECS = 10;
  private static final Pattern PROBED = Pattern.compile("op=stun\\.probed reason=(\\S+) public=(\\S+) nat=(\\S+)");

  static {
    HOSTS.put("open", OPEN);
    HOSTS.put("fc", FULL_CONE);
    HOSTS.put("rc", RESTRICTED);
    HOSTS.put("prc", PORT_RESTRICTED);
    HOSTS.put("sym", SYMMETRIC);
  }

  private static String skip;
  private static NatLab lab;
  private static Path dir;
  private static LabProcess relay;
  private static final Map<String, LabProcess> NODES = new LinkedHashMap<>();

  @BeforeAll
  static void up() throws Exception {
    skip = NatLab.skipMessage().orElse(NatLab.commandWorks(List.of("curl", "--version")) ? null
        : "NAT lab STUN tests skipped: curl (reads each node's /status inside its namespace) is missing; bin/test installs it");
    if (skip != null) {
      System.err.println(skip);
      return;
    }
    List<NatLab.Spec> specs = new ArrayList<>();
    HOSTS.forEach((name, kind) -> specs.add(spec(name, kind)));
    specs.add(spec(LONE, PORT_RESTRICTED));
    lab = NatLab.up(specs);
    dir = Files.createTempDirectory("stunlab");
    Path relayConf = dir.resolve("relay.json");
    Files.writeString(relayConf, new JsonObject().put("listen_addr", lab.relayIp() + ":0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("stun_listen", lab.relayIp() + ":" + NatLab.STUN_PORT)
        .put("stun_alternate", lab.relayAlternateIp()).encode());
    relay = lab.spawn("relay", NatLab.kinmeshCommand(LIGHT_JVM, "relay", "-conf", relayConf.toString()));
    // the Stun verticle's debug lines say when each probe ended and what it found
    Path logback = dir.resolve("logback.xml");
    Files.writeString(logback, """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n</pattern></encoder>
          </appender>
          <logger name="org.kinmesh" level="INFO"/>
          <logger name="org.kinmesh.stun.StunVerticle" level="DEBUG"/>
          <root level="WARN"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    for (String h : HOSTS.keySet()) {
      Path conf = nodeFiles(h);
      List<String> jvm = new ArrayList<>(LIGHT_JVM);
      jvm.add("-Dlogback.configurationFile=" + logback);
      NODES.put(h, lab.spawnWithLogs(h, NatLab.kinmeshCommand(jvm, "node", "-conf", conf.toString())));
    }
  }

  /** A one-node chain of its own for host h (keygen and genesis through the CLI); returns the node's config. */
  private static Path nodeFiles(String h) throws Exception {
    Path d = Files.createDirectories(dir.resolve(h));
    Path key = d.resolve("node.key");
    Path guardian = d.resolve("guardian.key");
    assertThat(Main.run("keygen", "--out", key.toString())).isZero();
    assertThat(Main.run("keygen", "--out", guardian.toString())).isZero();
    JsonObject spec = new JsonObject().put("blockchain_id", "lab-" + h).put("deauth_threshold", 1)
        .put("guardians", new JsonArray().add(new JsonObject().put("pubkey", KeyFiles.load(guardian).publicKeyHex())
            .put("display_name", "G")))
        .put("consensus_nodes", new JsonArray().add(new JsonObject().put("pubkey", KeyFiles.load(key).publicKeyHex())
            .put("node_id", 1)));
    Path specFile = Files.writeString(d.resolve("spec.json"), spec.encode());
    Path genesis = d.resolve("genesis.json");
    assertThat(Main.run("genesis", "--spec", specFile.toString(), "--out", genesis.toString())).isZero();
    JsonObject conf = new JsonObject().put("identity_path", key.toString()).put("genesis_path", genesis.toString())
        .put("data_dir", d.resolve("data").toString())
        .put("api_listen", "127.0.0.1:0") // read with curl inside the host's namespace
        .put("listen_host", "0.0.0.0") // the UDP socket (STUN, gossip) on the lab interface
        .put("gossip_udp_port", 0)
        // no relay listens there: the node keeps retrying it and runs on
        .put("relay_url", "http://" + lab.relayIp() + ":9")
        .put("stun_servers", new JsonArray().add(coturn(0)).add(coturn(1)))
        .put("intervals", new JsonObject().put("stun_refresh_secs", REFRESH_SECS));
    return Files.writeString(d.resolve("node.json"), conf.encode());
  }

  @BeforeEach
  void needsTheLab() {
    Assumptions.assumeTrue(skip == null, skip);
  }

  @AfterAll
  static void down() throws IOException {
    if (lab != null) {
      lab.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Order(1) // the CLI tests first, while the nodes start
  void ourClientClassifiesEveryNatKindAgainstCoturn() {
    classifyFromEveryHost(coturn(0), coturn(1));
  }

  @Test
  @Order(2)
  void ourClientClassifiesEveryNatKindAgainstTheRelaysOwnResponder() {
    awaitRelayStun();
    classifyFromEveryHost(lab.relayIp() + ":" + NatLab.STUN_PORT);
  }

  /** `kinmesh stun --json SERVERS` in every host at once: type, behaviours and mapped address per kind. */
  private static void classifyFromEveryHost(String... servers) {
    String primary = servers[0];
    String[] args = new String[servers.length + 2];
    args[0] = "stun";
    args[1] = "--json";
    System.arraycopy(servers, 0, args, 2, servers.length);
    Map<String, LabProcess> runs = new LinkedHashMap<>();
    HOSTS.keySet().forEach(h -> runs.put(h, lab.spawn(h, NatLab.kinmeshCommand(LIGHT_JVM, args))));
    String alternate = primary.startsWith(lab.relayIp()) ? lab.relayAlternateIp() + ":3479"
        : lab.stunServers().get(1).getHostString() + ":3479";
    for (var e : runs.entrySet()) {
      String h = e.getKey();
      Kind kind = HOSTS.get(h);
      List<String> out = e.getValue().awaitOutput(WAIT);
      assertThat(e.getValue().waitFor(WAIT)).as(h + ": " + out + e.getValue().stderr()).isZero();
      JsonObject r = new JsonObject(String.join("\n", out));
      assertThat(r.getString("nat_type")).as(h + ": " + r).isEqualTo(kind.label());
      assertThat(r.getString("public_ip")).as(h + ": " + r).isEqualTo(lab.publicIp(h));
      assertThat(r.getString("mapping")).as(h + ": " + r).isEqualTo(switch (kind) {
        case OPEN -> "none";
        case SYMMETRIC -> "address_and_port_dependent";
        default -> "endpoint_independent";
      });
      assertThat(r.getString("filtering")).as(h + ": " + r).isEqualTo(switch (kind) {
        case OPEN -> "unknown"; // nothing filters: the probe stops after test I
        case FULL_CONE -> "endpoint_independent";
        case RESTRICTED -> "address_dependent";
        case PORT_RESTRICTED, SYMMETRIC -> "address_and_port_dependent";
      });
      assertThat(r.getString("server")).isEqualTo(primary);
      JsonObject first = r.getJsonArray("servers").getJsonObject(0);
      assertThat(first.getString("mapped")).isEqualTo(lab.publicIp(h) + ":" + r.getInteger("public_port"));
      assertThat(first.getString("other_address")).as("RFC 5780 OTHER-ADDRESS").isEqualTo(alternate);
    }
  }

  @Test
  @Order(3)
  void coturnsStunClientGetsTheRightMappedAddressFromTheRelay() {
    awaitRelayStun();
    Map<String, LabProcess> runs = new LinkedHashMap<>();
    // behind a NAT coturn's client waits forever for its RESPONSE-PORT answer (to local port + 1,
    // which no NAT maps): bound it, and read the answer it prints first
    HOSTS.keySet().forEach(h -> runs.put(h, lab.spawn(h, List.of("timeout", h.equals("open") ? "20" : "3",
        "turnutils_stunclient", "-p", Integer.toString(NatLab.STUN_PORT), lab.relayIp()))));
    Pattern reflexive = Pattern.compile("UDP reflexive addr: ([0-9.]+):(\\d+)");
    Pattern origin = Pattern.compile("Response origin: : ([0-9.:]+)");
    for (var e : runs.entrySet()) {
      String h = e.getKey();
      String text = String.join("\n", e.getValue().awaitOutput(WAIT));
      Matcher m = reflexive.matcher(text);
      assertThat(m.find()).as(h + ":\n" + text).isTrue();
      assertThat(m.group(1)).as(h).isEqualTo(lab.publicIp(h));
      if (h.equals("open")) {
        // nothing in the way: all three RFC 5780 exchanges complete, and coturn's client exits 0
        assertThat(e.getValue().waitFor(WAIT)).as(text).isZero();
        int port = Integer.parseInt(m.group(2));
        String[] responses = text.split("RFC 5780 response ");
        assertThat(responses).as(text).hasSize(4);
        assertThat(responses[1]).contains("Response origin: : " + lab.relayIp() + ":3478")
            .contains("Other addr: : " + lab.relayAlternateIp() + ":3479")
            .contains("UDP reflexive addr: " + lab.publicIp(h) + ":" + port);
        // CHANGE-REQUEST: answered from the other address and port
        Matcher o = origin.matcher(responses[2]);
        assertThat(o.find()).as(responses[2]).isTrue();
        assertThat(o.group(1)).isEqualTo(lab.relayAlternateIp() + ":3479");
        assertThat(responses[2]).contains("UDP reflexive addr: " + lab.publicIp(h) + ":" + port);
        // RESPONSE-PORT: answered to local port + 1
        assertThat(responses[3]).contains("UDP reflexive addr: " + lab.publicIp(h) + ":" + (port + 1));
      }
    }
  }

  @Test
  @Order(4)
  void theClientFallsBackPastADeadServerAndSaysSoWhenNothingAnswers() {
    // a server address nobody holds (its ARP goes unanswered): 5 s of RFC 8489 retransmissions, then coturn
    LabProcess fallback = lab.spawn("rc", NatLab.kinmeshCommand(LIGHT_JVM, "stun", "--json",
        "192.0.2.99:" + NatLab.STUN_PORT, coturn(0)));
    // cut from coturn: nothing answers, exit 1, no endpoint, type unknown
    lab.cut(LONE, "stun");
    LabProcess none;
    try {
      none = lab.spawn(LONE, NatLab.kinmeshCommand(LIGHT_JVM, "stun", "--json", coturn(0)));
      List<String> out = none.awaitOutput(WAIT);
      assertThat(none.waitFor(WAIT)).as(out + none.stderr()).isEqualTo(1);
      JsonObject r = new JsonObject(String.join("\n", out));
      assertThat(r.getValue("public_ip")).as(r.encode()).isNull();
      assertThat(r.getString("nat_type")).isEqualTo("unknown");
      assertThat(r.getJsonArray("servers")).hasSize(1);
      assertThat(r.getJsonArray("servers").getJsonObject(0).getString("error")).as(r.encode()).isEqualTo("timeout");
    } finally {
      lab.uncut(LONE, "stun");
    }
    List<String> out = fallback.awaitOutput(WAIT);
    assertThat(fallback.waitFor(WAIT)).as(out + fallback.stderr()).isZero();
    JsonObject r = new JsonObject(String.join("\n", out));
    assertThat(r.getString("nat_type")).as(r.encode()).isEqualTo("restricted");
    assertThat(r.getString("server")).isEqualTo(coturn(0));
    assertThat(r.getJsonArray("servers").getJsonObject(0).getString("error")).isEqualTo("timeout");
  }

  @Test
  @Order(5)
  void aNodeBehindEachNatReportsItsPublicEndpointAndNatTypeAndKeepsThemOnRefresh() {
    for (String h : HOSTS.keySet()) {
      Kind kind = HOSTS.get(h);
      LabProcess node = NODES.get(h);
      int udpPort = udpPort(node);
      Matcher start = probed(node, l -> l.contains("reason=start"), START);
      String expected = kind == SYMMETRIC ? null : lab.publicIp(h) + ":" + udpPort; // Linux keeps the source port
      assertThat(start.group(3)).as(h + ": " + start.group()).isEqualTo(kind.label());
      if (expected != null) {
        assertThat(start.group(2)).as(h).isEqualTo(expected);
      }
      // a refresh from the same socket (the first probe's holes still open) keeps the right answer
      Matcher again = probed(node, l -> l.contains("reason=periodic"), WAIT);
      assertThat(again.group(3)).as(h + ": " + again.group()).isEqualTo(kind.label());
      assertThat(again.group(2)).as(h).isEqualTo(start.group(2));
      JsonObject status = awaitStatus(h, s -> s.getString("public_endpoint") != null);
      assertThat(status.getString("nat_type")).as(h + ": " + status).isEqualTo(kind.label());
      assertThat(status.getString("public_endpoint")).as(h).isEqualTo(again.group(2)).startsWith(lab.publicIp(h) + ":");
    }
  }

  @Test
  @Order(6) // after the test above: it checks the endpoints the nodes started with
  void whenTheNatsMappingChangesTheNodesRefreshPublishesTheNewEndpoint() {
    Map<String, String> before = new LinkedHashMap<>();
    for (String h : List.of("fc", "rc", "prc", "sym")) {
      before.put(h, probed(NODES.get(h), l -> l.contains("reason=start"), START).group(2));
    }
    // new external addresses for the cones (they keep ports, so only the IP shows the change),
    // a flushed conntrack for the symmetric NAT (a new random port, same IP)
    Map<String, String> newIp = new LinkedHashMap<>();
    for (String h : List.of("fc", "rc", "prc")) {
      newIp.put(h, lab.changeExternalIp(h));
    }
    lab.flushConntrack("sym");
    newIp.put("sym", lab.publicIp("sym"));
    for (var e : newIp.entrySet()) {
      String h = e.getKey();
      String ip = e.getValue();
      Kind kind = HOSTS.get(h);
      String old = before.get(h);
      // the next periodic probe (every 10 s ± 10 %) sees the new mapping and classifies afresh
      Matcher m = probed(NODES.get(h), l -> l.contains("public=" + ip + ":") && !l.contains("public=" + old + " "),
          Duration.ofSeconds(REFRESH_SECS * 3));
      assertThat(m.group(3)).as(h + ": " + m.group()).isEqualTo(kind.label());
      String now = m.group(2);
      if (kind == SYMMETRIC) {
        assertThat(now).isNotEqualTo(old);
      } else {
        assertThat(now).isEqualTo(ip + ":" + udpPort(NODES.get(h)));
      }
      JsonObject status = awaitStatus(h, s -> now.equals(s.getString("public_endpoint")));
      assertThat(status.getString("nat_type")).as(h + ": " + status).isEqualTo(kind.label());
    }
  }

  private static String coturn(int i) {
    return lab.stunServers().get(i).getHostString() + ":" + lab.stunServers().get(i).getPort();
  }

  private static void awaitRelayStun() {
    String line = lineOf(relay, l -> l.startsWith("kinmesh relay stun on udp "), START);
    assertThat(line).isEqualTo("kinmesh relay stun on udp " + lab.relayIp() + ":3478 alternate "
        + lab.relayAlternateIp() + ":3479");
  }

  /** The node's UDP port, from its start line. */
  private static int udpPort(LabProcess node) {
    Matcher m = Pattern.compile("port=(\\d+) \\(udp and tcp\\)").matcher(lineOf(node, l -> l.contains("op=node_start"),
        START));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** A Stun verticle "op=stun.probed" line, already printed or still to come. */
  private static Matcher probed(LabProcess node, Predicate<String> wanted, Duration timeout) {
    Matcher m = PROBED.matcher(lineOf(node, l -> l.contains("op=stun.probed ") && wanted.test(l), timeout));
    assertThat(m.find()).isTrue();
    return m;
  }

  /** The first line so far, or to come, that matches. */
  private static String lineOf(LabProcess p, Predicate<String> wanted, Duration timeout) {
    return p.output().stream().filter(wanted).findFirst().orElseGet(() -> p.awaitLine(wanted, timeout));
  }

  /** Polls the node's /status from inside its namespace until it satisfies {@code wanted}, within a bound. */
  private static JsonObject awaitStatus(String h, Predicate<JsonObject> wanted) {
    String api = lineOf(NODES.get(h), l -> l.startsWith("kinmesh node ") && l.contains(" api on http://"), START);
    String url = "http://127.0.0.1:" + api.substring(api.lastIndexOf(':') + 1) + "/status";
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      NatLab.ExecResult r = lab.exec(h, List.of("curl", "-sS", "-m", "5", url), Duration.ofSeconds(10));
      if (r.exit() == 0) {
        last = new JsonObject(r.out());
        if (wanted.test(last)) {
          return last;
        }
      }
      // a poll interval, not a synchronisation: the loop ends on the condition or the deadline
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError(h + ": /status never matched within " + WAIT.toSeconds() + " s; last " + last);
  }
}
