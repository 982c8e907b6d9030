package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;
import static org.kinmesh.lab.NatLab.spec;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance of the whole design (issue 7), on real Linux NATs: a relay and coturn on the
 * lab's "internet", four nodes behind NATs of different kinds, each node a real `kinmesh node`
 * process in its own network namespace. Public and cone peers talk directly (punched, not
 * relayed), pairs that cannot be direct are relayed, a symmetric node joining never stalls
 * consensus, and a cut direct path moves to the relay and back. Writes what it saw to
 * target/nat-traversal-*.txt (the matrix in docs/nat-traversal.md comes from there). The chain,
 * its relay and its node processes are a {@link LabChain}.
 */
class NatTraversalLabTest {
  private static final Duration START = LabChain.START;
  private static final Duration PATHS = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  private NatLab lab;
  private LabChain chain;
  private final StringBuilder report = new StringBuilder();

  @BeforeEach
  void requireLab() {
    NatLab.assumeAvailable();
  }

  @AfterEach
  void down() {
    if (chain != null) {
      chain.saveLogs();
      chain.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void publicConeAndSymmetricNodesCommitTogetherOverDirectAndRelayedPaths() throws Exception {
    lab = NatLab.up(spec("pub", OPEN), spec("c1", PORT_RESTRICTED), spec("c2", PORT_RESTRICTED),
        spec("s1", SYMMETRIC));
    chain = new LabChain(lab, dir, List.of("pub", "c1", "c2", "s1"));
    chain.startRelay();
    for (String h : List.of("pub", "c1", "c2")) {
      chain.startNode(h);
    }
    // Three of four is a quorum: the chain moves before the symmetric node exists.
    chain.awaitAll(List.of("pub", "c1", "c2"), h -> chain.height(h) >= 2, START, "three nodes commit height 2");
    long before = chain.height("pub");
    chain.startNode("s1");
    chain.awaitAll(List.of("pub", "c1", "c2", "s1"), h -> chain.height(h) >= before + 3, START,
        "every node commits 3 more blocks after the symmetric node joined");

    expectPaths(Map.of("pub-c1", "direct", "pub-c2", "direct", "c1-c2", "direct", "pub-s1", "direct",
        "c1-s1", "relayed", "c2-s1", "relayed"));
    record("scenario 1 paths", List.of("pub", "c1", "c2", "s1"));

    // Cut the cone-to-cone path: the pair moves to the relay, consensus goes on; lift it: back.
    long cutAt = System.nanoTime();
    lab.cut("c1", "c2");
    chain.awaitAll(List.of("c1", "c2"), h -> chain.path(h, h.equals("c1") ? "c2" : "c1").equals("relayed"),
        Duration.ofSeconds(30), "c1 and c2 relayed after the cut");
    long movedMs = (System.nanoTime() - cutAt) / 1_000_000;
    report.append("cut c1-c2: relayed after ").append(movedMs).append(" ms\n");
    assertThat(movedMs).as("moved to the relay within ~7 s (plus polling)").isLessThan(12_000);
    long atCut = chain.height("pub");
    chain.awaitAll(List.of("pub", "c1", "c2", "s1"), h -> chain.height(h) >= atCut + 2, START,
        "commits go on during the cut");
    long uncutAt = System.nanoTime();
    lab.uncut("c1", "c2");
    chain.awaitAll(List.of("c1", "c2"), h -> chain.path(h, h.equals("c1") ? "c2" : "c1").startsWith("direct"),
        Duration.ofSeconds(120), "c1 and c2 direct again after the cut is lifted");
    report.append("uncut c1-c2: direct again after ").append((System.nanoTime() - uncutAt) / 1_000_000)
        .append(" ms\n");
    chain.assertSameChain(List.of("pub", "c1", "c2", "s1"));
    writeReport("nat-traversal-scenario1.txt");
  }

  @Test
  void twoSymmetricNodesUseTheRelayBetweenThemAndStillCommit() throws Exception {
    lab = NatLab.up(spec("pub", OPEN), spec("c1", PORT_RESTRICTED), spec("s1", SYMMETRIC), spec("s2", SYMMETRIC));
    chain = new LabChain(lab, dir, List.of("pub", "c1", "s1", "s2"));
    chain.startRelay();
    for (String h : List.of("pub", "c1", "s1", "s2")) {
      chain.startNode(h);
    }
    chain.awaitAll(List.of("pub", "c1", "s1", "s2"), h -> chain.height(h) >= 3, START, "every node commits height 3");
    expectPaths(Map.of("pub-c1", "direct", "pub-s1", "direct", "pub-s2", "direct", "c1-s1", "relayed",
        "c1-s2", "relayed", "s1-s2", "relayed"));
    record("scenario 2 paths", List.of("pub", "c1", "s1", "s2"));
    chain.assertSameChain(List.of("pub", "c1", "s1", "s2"));
    writeReport("nat-traversal-scenario2.txt");
  }

  /** "a-b" → "direct" (either direct path) or "relayed", seen from both ends. */
  private void expectPaths(Map<String, String> expected) {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String[] pair = e.getKey().split("-");
      for (String[] ends : new String[][] {pair, {pair[1], pair[0]}}) {
        chain.await(() -> chain.path(ends[0], ends[1]).startsWith(e.getValue()), PATHS,
            ends[0] + " reaches " + ends[1] + " " + e.getValue() + " (now " + chain.path(ends[0], ends[1]) + ")");
      }
    }
  }

  private void record(String title, List<String> hosts) {
    report.append(title).append('\n');
    for (String a : hosts) {
      Map<String, JsonObject> peers = chain.peers(a);
      for (String b : hosts) {
        if (!a.equals(b)) {
          JsonObject e = peers.getOrDefault(b, new JsonObject());
          report.append(String.format("  %-4s -> %-4s %-11s rtt_ms=%s endpoint=%s why=%s%n", a, b,
              e.getString("path"), e.getValue("rtt_ms"), e.getString("endpoint"), e.getString("why")));
        }
      }
    }
  }

  private void writeReport(String name) throws Exception {
    Path out = Path.of("target", name);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    System.err.print(report);
  }
}
