package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.lab.NatLab.Kind.FULL_CONE;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;
import static org.kinmesh.lab.NatLab.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.lab.NatLab.Kind;

/**
 * Proves the NAT lab: every NAT kind behaves as docs/natlab.md says (checked by coturn's RFC 5780
 * discovery and by our own UDP probes), the helpers for later tests work, and nothing in the lab
 * touches the host's own network namespace. Skipped, saying how to run it, unless root with the
 * tools installed (bin/test installs them; CI runs as root).
 */
class NatLabTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The hosts of the shared lab, one per kind, two port-restricted ones, two sharing a router. */
  private static final Map<String, Kind> MAIN = new LinkedHashMap<>();

  static {
    MAIN.put("open", OPEN);
    MAIN.put("fc", FULL_CONE);
    MAIN.put("rc", RESTRICTED);
    MAIN.put("prc1", PORT_RESTRICTED);
    MAIN.put("prc2", PORT_RESTRICTED);
    MAIN.put("sym", SYMMETRIC);
  }

  private static NatLab lab;
  private static List<String> rootLinksBefore;

  /** Why these tests skip here, or null; checked per test so every skip shows, with this message. */
  private static String skip;

  @BeforeAll
  static void up() {
    skip = NatLab.skipMessage()
        .orElse(NatLab.commandWorks(List.of("python3", "-c", "pass")) ? null
            : "NAT lab tests skipped: python3 (the UDP probes) is missing; bin/test installs it");
    if (skip != null) {
      System.err.println(skip);
      return;
    }
    rootLinksBefore = rootLinks();
    List<NatLab.Spec> specs = new ArrayList<>();
    MAIN.forEach((name, kind) -> specs.add(spec(name, kind)));
    specs.add(spec("lan1", PORT_RESTRICTED).behind("home"));
    specs.add(spec("lan2", PORT_RESTRICTED).behind("home"));
    lab = NatLab.up(specs);
  }

  @BeforeEach
  void needsTheLab() {
    Assumptions.assumeTrue(skip == null, skip);
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void coturnDiscoversTheMappingAndFilteringEachKindIsBuiltWith() {
    Map<String, LabProcess> runs = new LinkedHashMap<>();
    String stun = lab.stunServers().get(0).getHostString();
    // in parallel: the filtering tests wait out coturn's 3 s timeouts for the answers a NAT drops
    MAIN.keySet().forEach(h -> runs.put(h, lab.spawn(h, List.of("turnutils_natdiscovery", "-m", "-f", stun))));
    Pattern reflexive = Pattern.compile("UDP reflexive addr: ([0-9.]+):(\\d+)");
    Pattern local = Pattern.compile("Local addr: : 0\\.0\\.0\\.0:(\\d+)");
    for (var e : runs.entrySet()) {
      String host = e.getKey();
      List<String> out = e.getValue().awaitOutput(WAIT);
      String text = String.join("\n", out);
      String mapping = out.stream().filter(l -> l.startsWith("NAT with") && l.contains("Mapping")).findFirst().orElse("none");
      String filtering = out.stream().filter(l -> l.startsWith("NAT with") && l.contains("Filtering")).findFirst().orElse("none");
      Kind kind = MAIN.get(host);
      assertThat(mapping).as(host + ":\n" + text).isEqualTo(kind == SYMMETRIC
          ? "NAT with Address and Port Dependent Mapping!" : "NAT with Endpoint Independent Mapping!");
      assertThat(filtering).as(host + ":\n" + text).isEqualTo(switch (kind) {
        case OPEN, FULL_CONE -> "NAT with Endpoint Independent Filtering!";
        case RESTRICTED -> "NAT with Address Dependent Filtering!";
        case PORT_RESTRICTED, SYMMETRIC -> "NAT with Address and Port Dependent Filtering!";
      });

      // the mapping phase: what the primary and the alternate server saw from one local socket
      String mappingPhase = text.substring(0, text.indexOf("Filtering Behavior"));
      List<String> ips = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      for (Matcher m = reflexive.matcher(mappingPhase); m.find(); ) {
        ips.add(m.group(1));
        ports.add(Integer.parseInt(m.group(2)));
      }
      Matcher lm = local.matcher(mappingPhase);
      assertThat(lm.find()).as(text).isTrue();
      int localPort = Integer.parseInt(lm.group(1));
      assertThat(ips).as(host).isNotEmpty().allMatch(ip -> ip.equals(lab.publicIp(host)));
      if (kind == OPEN) {
        assertThat(lab.publicIp(host)).isEqualTo(lab.host(host).ip());
      } else {
        assertThat(lab.publicIp(host)).isEqualTo(lab.router(host).externalIp()).isNotEqualTo(lab.host(host).ip());
      }
      if (kind == SYMMETRIC) {
        assertThat(ports).as(host + " maps per destination").hasSize(3).doesNotHaveDuplicates();
      } else {
        // endpoint-independent, and Linux keeps the source port when it is free
        assertThat(ports).as(host).hasSize(2).containsOnly(localPort);
      }
    }
  }

  @Test
  void unsolicitedDatagramsGetInExactlyAsEachKindAllows() {
    String ip1 = lab.relayIp();
    String ip2 = lab.relayAlternateIp();
    Map<String, LabProcess> probers = new LinkedHashMap<>();
    Map<String, LabProcess> clients = new LinkedHashMap<>();
    int port = 5000;
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String h : MAIN.keySet()) {
      ports.put(h, port);
      probers.put(h, lab.spawn("relay", UdpTools.python(UdpTools.PROBER, ip1, ip2, port)));
      port += 10;
    }
    for (String h : MAIN.keySet()) {
      probers.get(h).awaitLine("ready"::equals, WAIT);
      clients.put(h, lab.spawn(h, UdpTools.python(UdpTools.PROBE_CLIENT, ip1, ip2, ports.get(h))));
    }
    for (String h : MAIN.keySet()) {
      Kind kind = MAIN.get(h);
      List<String> out = clients.get(h).awaitOutput(WAIT);
      String mapped1 = probers.get(h).awaitLine(l -> l.startsWith("mapped1 "), WAIT).substring(8);
      String mapped2 = probers.get(h).awaitLine(l -> l.startsWith("mapped2 "), WAIT).substring(8);
      String localPort = out.get(0).substring("local ".length());
      String got = out.get(1);
      assertThat(got).as(h + " (" + kind + ")").isEqualTo(switch (kind) {
        case OPEN, FULL_CONE -> "got other-ip,same-ip";
        case RESTRICTED -> "got same-ip";
        case PORT_RESTRICTED, SYMMETRIC -> "got ";
      });
      assertThat(mapped1).startsWith(lab.publicIp(h) + ":");
      assertThat(mapped2).startsWith(lab.publicIp(h) + ":");
      if (kind == SYMMETRIC) {
        assertThat(mapped2).as("a new mapping toward the second address").isNotEqualTo(mapped1);
      } else {
        assertThat(mapped2).isEqualTo(mapped1).endsWith(":" + localPort);
      }
    }
  }

  @Test
  void hostsBehindOneRouterShareItsExternalAddress() {
    LabProcess reflector = lab.spawn("relay", UdpTools.python(UdpTools.REFLECTOR, lab.relayIp(), 6000));
    reflector.awaitLine("ready"::equals, WAIT);
    String ext = lab.router("home").externalIp();
    assertThat(lab.host("lan1").router()).isEqualTo("home");
    assertThat(lab.host("lan1").ip()).isNotEqualTo(lab.host("lan2").ip());
    for (String h : List.of("lan1", "lan2")) {
      assertThat(lab.publicIp(h)).isEqualTo(ext);
      String out = lab.exec(h, UdpTools.python(UdpTools.PINGER, lab.relayIp(), 6000, 1)).orThrow().out();
      assertThat(out).contains("from " + ext + ":");
    }
    LabProcess atLan2 = lab.spawn("lan2", UdpTools.python(UdpTools.REFLECTOR, lab.host("lan2").ip(), 6001));
    atLan2.awaitLine("ready"::equals, WAIT);
    assertThat(ping("lan1", lab.host("lan2").ip(), 6001)).as("directly over the shared LAN")
        .startsWith("from " + lab.host("lan1").ip() + ":");
    atLan2.close();
    reflector.close();
  }

  @Test
  void cutDropsTrafficBetweenTwoHostsOnlyAndUncutRestoresIt() {
    LabProcess atOpen = lab.spawn("open", UdpTools.python(UdpTools.REFLECTOR, lab.host("open").ip(), 7000));
    LabProcess atRelay = lab.spawn("relay", UdpTools.python(UdpTools.REFLECTOR, lab.relayIp(), 7000));
    atOpen.awaitLine("ready"::equals, WAIT);
    atRelay.awaitLine("ready"::equals, WAIT);
    String openIp = lab.host("open").ip();
    String fcIp = lab.publicIp("fc");

    assertThat(ping("fc", openIp, 7000)).startsWith("from " + fcIp);
    lab.cut("fc", "open");
    assertThat(ping("fc", openIp, 7000)).isEqualTo("eperm");
    assertThat(ping("open", fcIp, 7000)).isEqualTo("eperm");
    assertThat(ping("fc", lab.relayIp(), 7000)).as("the relay stays reachable").startsWith("from " + fcIp);
    assertThat(ping("prc1", openIp, 7000)).as("other hosts are not cut").startsWith("from " + lab.publicIp("prc1"));
    lab.uncut("fc", "open");
    assertThat(ping("fc", openIp, 7000)).startsWith("from " + fcIp);

    assertThatThrownBy(() -> lab.cut("fc", "fc")).hasMessageContaining("same");
    assertThatThrownBy(() -> lab.cut("fc", "nosuch")).hasMessageContaining("no host 'nosuch'");
    atOpen.close();
    atRelay.close();
  }

  @Test
  void flushingConntrackGivesASymmetricHostANewMapping() {
    LabProcess reflector = lab.spawn("relay", UdpTools.python(UdpTools.REFLECTOR, lab.relayIp(), 7100));
    reflector.awaitLine("ready"::equals, WAIT);
    try (LabProcess pinger = lab.spawn("sym", UdpTools.python(UdpTools.PINGER, lab.relayIp(), 7100))) {
      pinger.awaitLine(l -> l.startsWith("local "), WAIT);
      String first = pingOnce(pinger);
      assertThat(pingOnce(pinger)).as("stable while the NAT remembers it").isEqualTo(first);
      lab.flushConntrack("sym");
      String after = pingOnce(pinger);
      assertThat(after).startsWith("from " + lab.publicIp("sym") + ":").isNotEqualTo(first);
    }
    assertThatThrownBy(() -> lab.flushConntrack("open")).hasMessageContaining("no router 'open'");
    reflector.close();
  }

  @Test
  void changingTheExternalAddressMovesTheMapping() {
    LabProcess reflector = lab.spawn("relay", UdpTools.python(UdpTools.REFLECTOR, lab.relayIp(), 7200));
    reflector.awaitLine("ready"::equals, WAIT);
    String before = lab.router("prc2").externalIp();
    try (LabProcess pinger = lab.spawn("prc2", UdpTools.python(UdpTools.PINGER, lab.relayIp(), 7200))) {
      pinger.awaitLine(l -> l.startsWith("local "), WAIT);
      assertThat(pingOnce(pinger)).startsWith("from " + before + ":");

      // bad input: a clear error, nothing changed
      String used = lab.router("fc").externalIp();
      assertThatThrownBy(() -> lab.natlab("change-external-ip", lab.runId(), "prc2", used))
          .hasMessageContaining("already in use");
      assertThatThrownBy(() -> lab.natlab("change-external-ip", lab.runId(), "prc2", "10.0.0.1"))
          .hasMessageContaining("203.0.113.1-254");
      assertThat(lab.router("prc2").externalIp()).isEqualTo(before);

      String now = lab.changeExternalIp("prc2");
      assertThat(now).isNotEqualTo(before).startsWith("203.0.113.");
      assertThat(lab.router("prc2").externalIp()).isEqualTo(now);
      assertThat(lab.publicIp("prc2")).isEqualTo(now);
      assertThat(pingOnce(pinger)).as("same socket, new mapping").startsWith("from " + now + ":");
    }
    reflector.close();
  }

  @Test
  void nothingInTheLabIsLinkedToTheHostNamespace() {
    assertThat(rootLinks()).as("no interface appeared in the host's namespace").isEqualTo(rootLinksBefore);
    String prefix = "kmlab-" + lab.runId() + "-";
    List<String> namespaces = List.of(NatLab.sh(List.of("ip", "netns", "list"), WAIT).out().split("\n")).stream()
        .map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
    // inet, stun, relay, 7 routers (6 hosts less open, plus home), 8 hosts
    assertThat(namespaces).hasSize(3 + 6 + 8);
    for (String ns : namespaces) {
      String veths = NatLab.sh(List.of("ip", "-n", ns, "-o", "-d", "link", "show", "type", "veth"), WAIT).orThrow().out();
      for (String line : veths.strip().split("\n")) {
        assertThat(line).as(ns).containsPattern("link-netns " + prefix + "\\S+");
      }
      assertThat(NatLab.sh(List.of("ip", "-n", ns, "-o", "link", "show", "lo"), WAIT).out()).as(ns).contains("UP");
      String forward = NatLab.sh(List.of("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/ip_forward"), WAIT).out();
      assertThat(forward.strip()).as(ns + " forwards only if it is a router").isEqualTo(ns.startsWith(prefix + "r-") ? "1" : "0");
      NatLab.ExecResult route = NatLab.sh(List.of("ip", "-n", ns, "route", "get", "8.8.8.8"), WAIT);
      if (ns.startsWith(prefix + "h-") && !ns.equals(prefix + "h-open")) {
        String host = ns.substring((prefix + "h-").length());
        assertThat(route.out()).as(ns + " routes out only through its lab router")
            .contains("via " + lab.router(lab.host(host).router()).lanIp());
      } else {
        assertThat(route.exit()).as(ns + " has no route out of the lab").isNotZero();
        assertThat(route.err()).contains("unreachable");
      }
    }
  }

  @Test
  void aKinmeshRelaySpawnedInTheLabAnswersThroughASymmetricNat(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, "{\"listen_addr\":\"" + lab.relayIp() + ":0\",\"db_path\":\"" + dir.resolve("relay.db") + "\"}");
    LabProcess relay = lab.spawn("relay", NatLab.kinmeshCommand("relay", "-conf", conf.toString()));
    String line = relay.awaitLine(l -> l.startsWith("kinmesh relay listening on "), Duration.ofSeconds(60));
    String url = line.substring(line.indexOf("http://")) + "/health";
    assertThat(url).startsWith("http://" + lab.relayIp() + ":");
    String health = lab.exec("sym", List.of(UdpTools.interpreter(), "-c",
        "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())", url))
        .orThrow().out();
    assertThat(health).contains("\"status\":\"ok\"");
    relay.close();
    assertThat(relay.isAlive()).isFalse();
  }

  @Test
  void closingALabKillsCoturnAndWhatItSpawnedAndDeletesEveryNamespace() {
    NatLab small = NatLab.up(spec("a", SYMMETRIC));
    String prefix = "kmlab-" + small.runId() + "-";
    long coturn = small.stunPid();
    assertThat(ProcessHandle.of(coturn)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    LabProcess reflector = small.spawn("a", UdpTools.python(UdpTools.REFLECTOR, "0.0.0.0", 7300));
    reflector.awaitLine("ready"::equals, WAIT);
    small.close();
    small.close(); // idempotent
    assertThat(reflector.isAlive()).isFalse();
    assertThat(gone(coturn)).as("coturn killed").isTrue();
    assertThat(NatLab.sh(List.of("ip", "netns", "list"), WAIT).out()).doesNotContain(prefix);
    assertThat(small.natlab("status")).doesNotContain("run " + small.runId() + " ");
    assertThatThrownBy(() -> small.exec("a", List.of("true"))).hasMessageContaining("closed");
  }

  @Test
  void badHostListsAreRefusedBeforeAnythingIsBuilt() {
    assertThatThrownBy(() -> NatLab.up(spec("relay", OPEN))).hasMessageContaining("reserved");
    assertThatThrownBy(() -> NatLab.up(spec("a", OPEN).behind("r"))).hasMessageContaining("no router");
    assertThatThrownBy(() -> NatLab.up(spec("a", SYMMETRIC).behind("r"), spec("b", FULL_CONE).behind("r")))
        .hasMessageContaining("cannot be both");
    assertThatThrownBy(() -> NatLab.up(spec("a", OPEN), spec("a", SYMMETRIC))).hasMessageContaining("twice");
    assertThatThrownBy(() -> NatLab.up(spec("Bad_Name", OPEN))).hasMessageContaining("bad host");
    NatLab.ExecResult kind = NatLab.sh(List.of(NatLab.script().toString(), "up", "zz9", "--hosts", "a:nat"), WAIT);
    assertThat(kind.exit()).isEqualTo(2);
    assertThat(kind.err()).contains("bad kind 'nat'");
    NatLab.ExecResult run = NatLab.sh(List.of(NatLab.script().toString(), "up", "Bad-Run"), WAIT);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("RUN must be");
    assertThatThrownBy(() -> lab.natlab("up", lab.runId())).hasMessageContaining("exists");
    String left = NatLab.sh(List.of("ip", "netns", "list"), WAIT).out();
    assertThat(left).doesNotContain("kmlab-zz9-");
  }

  @Test
  void staleRunsOfADeadOwnerAreReaped() throws Exception {
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    String script = NatLab.script().toString();
    String run = "st" + Long.toString(ProcessHandle.current().pid(), 36);
    NatLab.sh(List.of(script, "up", run, "--hosts", "x:open", "--owner", Long.toString(dead.pid())), WAIT).orThrow();
    assertThat(NatLab.sh(List.of("ip", "netns", "list"), WAIT).out()).contains("kmlab-" + run + "-");
    NatLab.sh(List.of(script, "down", "--stale"), WAIT).orThrow();
    assertThat(NatLab.sh(List.of("ip", "netns", "list"), WAIT).out()).doesNotContain("kmlab-" + run + "-");
    assertThat(lab.host("open").ip()).as("a live owner's run survives").isNotNull();
    assertThat(NatLab.sh(List.of("ip", "netns", "list"), WAIT).out()).contains("kmlab-" + lab.runId() + "-");
  }

  /** Exited: no such process, or a zombie that init has not reaped yet (coturn is not our child). */
  private static boolean gone(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException noSuchProcess) {
      return true;
    }
  }

  private static String ping(String from, String ip, int port) {
    List<String> out = List.of(lab.exec(from, UdpTools.python(UdpTools.PINGER, ip, port, 1)).orThrow().out().split("\n"));
    return out.get(out.size() - 1);
  }

  private static String pingOnce(LabProcess pinger) {
    pinger.send("ping");
    return pinger.awaitLine(l -> l.startsWith("from ") || l.equals("eperm") || l.equals("timeout"), WAIT);
  }

  private static List<String> rootLinks() {
    return List.of(NatLab.sh(List.of("ip", "-o", "link", "show"), WAIT).orThrow().out().split("\n")).stream()
        .map(l -> l.split(":")[1].strip()).sorted().toList();
  }
}
