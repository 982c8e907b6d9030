package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs tests/test_pbft_consensus.sh (the seed's consensus script, ported) against the fat jar. */
class ConsensusScriptIT {
  @Test
  void theConsensusScriptPasses() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "tests/test_pbft_consensus.sh", "3").redirectErrorStream(true);
    pb.environment().put("KINMESH_JAR", System.getProperty("kinmesh.jar", "target/kinmesh.jar"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("2f + 1 = 3 connectivity before consensus")
        .contains("PASS: 4 nodes, 3 blocks, identical on every node");
  }
}
