package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LabProcess's stdout reading, on plain local processes (no lab, no root, no network). */
class LabProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private LabProcess start(String script) throws Exception {
    Path err = dir.resolve("err-" + System.nanoTime());
    Process p = new ProcessBuilder("sh", "-c", script).redirectError(err.toFile()).start();
    return new LabProcess("sh " + script, p, err);
  }

  @Test
  void linesAreReadInOrderAndKeptThenTheWholeOutputOnExit() throws Exception {
    try (LabProcess p = start("echo one; echo ready; echo two; echo oops >&2")) {
      assertThat(p.awaitLine("ready"::equals, WAIT)).isEqualTo("ready");
      assertThat(p.output()).containsExactly("one", "ready");
      assertThat(p.awaitOutput(WAIT)).containsExactly("one", "ready", "two");
      assertThat(p.waitFor(WAIT)).isZero();
      assertThat(p.stderr()).isEqualTo("oops\n");
      assertThat(p.awaitOutput(WAIT)).as("the end is seen again").containsExactly("one", "ready", "two");
    }
  }

  @Test
  void aProcessThatEndsBeforeTheLineIsAClearFailure() throws Exception {
    try (LabProcess p = start("echo nope; exit 3")) {
      assertThatThrownBy(() -> p.awaitLine("ready"::equals, WAIT)).isInstanceOf(AssertionError.class)
          .hasMessageContaining("ended (exit").hasMessageContaining("before a matching line")
          .hasMessageContaining("[nope]");
      assertThatThrownBy(() -> p.awaitLine("ready"::equals, WAIT)).as("and stays so")
          .hasMessageContaining("before a matching line");
    }
  }

  @Test
  void timeoutsNameWhatWasAwaitedAndCloseEndsTheProcess() throws Exception {
    LabProcess p = start("echo started; read line; echo got $line; exec sleep 600");
    try {
      assertThat(p.awaitLine("started"::equals, WAIT)).isEqualTo("started");
      assertThatThrownBy(() -> p.awaitLine("never"::equals, Duration.ofMillis(200)))
          .hasMessageContaining("no matching line within");
      p.send("hello");
      assertThat(p.awaitLine(l -> l.startsWith("got "), WAIT)).isEqualTo("got hello");
      assertThatThrownBy(() -> p.awaitOutput(Duration.ofMillis(200))).hasMessageContaining("still running after");
    } finally {
      p.close();
    }
    assertThat(p.isAlive()).isFalse();
    assertThat(p.output()).containsExactly("started", "got hello");
  }
}
