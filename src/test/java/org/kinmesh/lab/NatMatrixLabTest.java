package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.lab.NatLab.Kind.FULL_CONE;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;
import static org.kinmesh.lab.NatLab.spec;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.lab.NatLab.Kind;

/**
 * The NAT kind × NAT kind matrix of docs/nat-traversal.md on real Linux NATs: five `kinmesh
 * node` processes, one behind each kind, and the relay. Every pair ends direct except a
 * symmetric NAT against a port-restricted one, which is relayed; a symmetric node reaches open,
 * full-cone and restricted peers directly, at a peer-reflexive address (its mapping toward that
 * peer, not the one STUN saw). The matrix must then hold for a while with no direct path
 * falling back (no flapping). Writes the matrix to target/nat-matrix.txt.
 */
class NatMatrixLabTest {
  private static final List<NatLab.Spec> KINDS = List.of(spec("open", OPEN), spec("fc", FULL_CONE),
      spec("rc", RESTRICTED), spec("prc", PORT_RESTRICTED), spec("sym", SYMMETRIC));
  /** How long the matrix must hold once it looks as expected (three heartbeats, a few punch rounds). */
  private static final Duration HOLD = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  @BeforeEach
  void requireLab() {
    NatLab.assumeAvailable();
  }

  @Test
  void everyPairIsDirectExceptSymmetricAgainstPortRestricted() throws Exception {
    try (MatrixRun run = MatrixRun.start(KINDS, dir, s -> { })) {
      run.until(x -> x.cells().stream().allMatch(c -> c.outcome() == c.expected()), Duration.ofSeconds(120));
      // Then some more time: the relayed pair keeps punching (and failing), the direct ones keep heartbeating.
      NatMatrix m = run.until(x -> false, HOLD);
      String report = m.table() + m.details() + String.join("\n", run.history()) + "\n";
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "nat-matrix.txt"), report);

      assertThat(m.cells()).hasSize(10);
      for (NatMatrix.Cell c : m.cells()) {
        assertThat(c.outcome()).as(c.a() + "(" + c.ka().label() + ") - " + c.b() + "(" + c.kb().label() + ")\n"
            + report).isEqualTo(c.expected());
      }
      assertThat(m.cell(SYMMETRIC, PORT_RESTRICTED).orElseThrow().outcome()).isEqualTo(NatMatrix.Outcome.RELAYED);
      for (NatMatrix.Cell c : m.cells()) {
        if (c.outcome() == NatMatrix.Outcome.DIRECT) {
          assertThat(List.of(c.ab().path(), c.ba().path())).as("punched UDP, not TCP: " + c).containsOnly("direct_udp");
          assertThat(c.timing()).as("both ends logged their punch: " + c).isPresent();
        }
      }

      // The symmetric node's peers reach it at the port its NAT gave toward each of them.
      JsonObject symStatus = run.chain().get("sym", "/status");
      String stunSeen = symStatus == null ? null : symStatus.getString("public_endpoint");
      assertThat(stunSeen).as("sym's STUN endpoint").isNotNull();
      for (Kind k : List.of(OPEN, FULL_CONE, RESTRICTED)) {
        NatMatrix.Cell c = m.cell(k, SYMMETRIC).orElseThrow();
        NatMatrix.View toSym = c.ka() == SYMMETRIC ? c.ba() : c.ab();
        assertThat(toSym.endpoint()).as(k.label() + " reaches sym at a peer-reflexive address")
            .startsWith(run.lab().publicIp("sym") + ":").isNotEqualTo(stunSeen);
      }
      assertThat(run.downgrades()).as("no direct path fell back (no flapping)").isEmpty();
      run.chain().assertSameChain(run.chain().hosts());
    }
  }
}
