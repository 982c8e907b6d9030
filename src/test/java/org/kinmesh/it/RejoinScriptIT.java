package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs tests/test_rejoin.sh against the fat jar: a node frozen by SIGSTOP for 3 x the view
 * timeout, or booted that long before the others, votes again (docs/consensus.md).
 */
class RejoinScriptIT {
  @ParameterizedTest
  @ValueSource(strings = {"sleep", "early"})
  void aNodeThatWasAwayVotesAgain(String scenario) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "tests/test_rejoin.sh", scenario).redirectErrorStream(true);
    pb.environment().put("KINMESH_JAR", System.getProperty("kinmesh.jar", "target/kinmesh.jar"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(400, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).containsPattern("PASS: " + scenario + ": node[0-3] votes again");
  }
}
