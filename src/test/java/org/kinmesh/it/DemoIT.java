package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;

/**
 * The README's main job from the fat jar: a relay and four node processes reach consensus. The
 * demo's own checks are the seed's consensus script's: relay first, nodes with --relay-server,
 * registration looked up, 2f + 1 connectivity before consensus, the same block on every node.
 */
class DemoIT {
  @TempDir
  Path dir;

  @Test
  void fourNodeProcessesCommitTheSameBlocks() throws Exception {
    String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
    Process p = new ProcessBuilder("java", "-jar", jar, "demo", "--until-height", "3", "--dir", dir.toString(),
        "--timeout-secs", "150").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(200, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    assertThat(out).contains("all four nodes registered with the relay").contains("(2f + 1)")
        .contains("all four nodes hold the same block at height 3");
    JsonObject summary = new JsonObject(lines.get(lines.size() - 1));
    assertThat(summary.getLong("height")).isEqualTo(3L);
    assertThat(summary.getJsonArray("nodes")).hasSize(4);
    String hash = summary.getJsonArray("nodes").getJsonObject(0).getString("hash_at_height");
    for (Object n : summary.getJsonArray("nodes")) {
      assertThat(((JsonObject) n).getString("hash_at_height")).isEqualTo(hash);
      assertThat(((JsonObject) n).getLong("height")).isGreaterThanOrEqualTo(3L);
    }
    // every process stopped cleanly and closed its database
    for (String log : List.of("relay.log", "node0.log", "node1.log", "node2.log", "node3.log")) {
      assertThat(Files.exists(dir.resolve(log))).as(log).isTrue();
    }
    assertThat(Files.readString(dir.resolve("relay.log"))).contains("database closed");
  }

  /** SIGKILL cannot be caught: the relay and four nodes must notice the demo is gone by themselves. */
  @Test
  void killingTheDemoWithSigkillStopsEveryProcessItStarted() throws Exception {
    String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
    Process demo = new ProcessBuilder("java", "-jar", jar, "demo", "--dir", dir.toString(), "--timeout-secs", "150")
        .redirectError(dir.resolve("demo.err").toFile()).start();
    List<ProcessHandle> children = List.of();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("demo: node3 ")) {
        // the demo starts the relay, then node0..node3, one after the other
      }
      assertThat(line).as("the demo started its last node").isNotNull();
      children = demo.toHandle().children().toList();
      assertThat(children).as("the relay and four nodes").hasSize(5);

      demo.destroyForcibly(); // SIGKILL
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
      for (ProcessHandle child : children) {
        Await.result(Future.fromCompletionStage(child.onExit()));
        assertThat(child.isAlive()).as("pid " + child.pid()).isFalse();
      }
      assertThat(Files.readString(dir.resolve("relay.log"))).contains("database closed");
    } finally {
      demo.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
