package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.node.DataDirLockHolder;
import org.kinmesh.testing.StdCapture;
import org.kinmesh.testing.TestKeys;

/** kinmesh node refusing to start, with a message that names what is wrong. */
class NodeCommandTest {
  @TempDir
  Path dir;
  final StdCapture std = new StdCapture();

  /** A node config in dir: key, genesis, data_dir "data", everything on loopback port 0. */
  Path config(JsonObject extra) throws Exception {
    Identity me = TestKeys.key(201);
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams("cmd", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000, List.of(new GenesisSpec.Guardian(TestKeys.key(200).publicKeyHex(), "G")),
        List.of(new GenesisSpec.ConsensusNode(me.publicKeyHex(), 1))));
    Files.write(dir.resolve("genesis.json"), genesis.toJsonBytes());
    KeyFiles.write(dir.resolve("node.key"), me);
    JsonObject cfg = new JsonObject().put("identity_path", dir.resolve("node.key").toString())
        .put("genesis_path", dir.resolve("genesis.json").toString()).put("data_dir", dir.resolve("data").toString())
        .put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0)
        .put("stun_servers", new io.vertx.core.json.JsonArray()).mergeIn(extra);
    Path file = dir.resolve("node.json");
    Files.writeString(file, cfg.encodePrettily());
    return file;
  }

  @Test
  void aDataDirHeldByAnotherProcessIsRefusedNamingItAndThePid() throws Exception {
    refusedWhileHeld(config(new JsonObject()));
  }

  /**
   * Issue 12.7: relative paths in the config file are the config file's directory's, not the
   * working directory's (the test's cwd is the project): the key and genesis are found, and the
   * data_dir the node refuses is the one beside the config.
   */
  @Test
  void relativePathsInTheConfigAreRelativeToTheConfigFile() throws Exception {
    refusedWhileHeld(config(new JsonObject().put("identity_path", "node.key").put("genesis_path", "genesis.json")
        .put("data_dir", "data")));
    assertThat(Path.of("data", "kinmesh.lock")).doesNotExist();
  }

  void refusedWhileHeld(Path conf) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DataDirLockHolder.class.getName(), dir.resolve("data").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");
      assertThat(exitCodeWithin60s("node", "--conf", conf.toString())).isEqualTo(ExitCodes.FAILURE);
      assertThat(std.err()).contains(dir.resolve("data").toAbsolutePath().toString())
          .contains("pid " + other.pid()).doesNotContain("Exception");
      assertThat(dir.resolve("data").resolve("ledger.db")).doesNotExist();
    } finally {
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Runs the CLI; a node that starts instead of refusing would run forever, so that counts as a failure. */
  int exitCodeWithin60s(String... args) throws Exception {
    java.util.concurrent.CompletableFuture<Integer> code = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> std.during(() -> Main.run(args)));
    try {
      return code.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("kinmesh " + String.join(" ", args) + " did not exit: it started instead of refusing");
    }
  }

  /** Issue 12.7: "Address already in use" names the address and the config key to change. */
  @Test
  void aTakenApiPortIsNamedWithItsConfigKey() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path conf = config(new JsonObject().put("api_listen", "127.0.0.1:" + taken.getLocalPort()));
      assertThat(exitCodeWithin60s("node", "--conf", conf.toString())).isEqualTo(ExitCodes.FAILURE);
      assertThat(std.err()).contains("api_listen").contains("127.0.0.1:" + taken.getLocalPort())
          .contains("in use");
    }
  }

  @Test
  void aTakenUdpPortIsNamedWithItsConfigKey() throws Exception {
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path conf = config(new JsonObject().put("gossip_udp_port", taken.getLocalPort()));
      assertThat(exitCodeWithin60s("node", "--conf", conf.toString())).isEqualTo(ExitCodes.FAILURE);
      assertThat(std.err()).contains("gossip_udp_port").contains("127.0.0.1:" + taken.getLocalPort())
          .contains("in use");
    }
  }
}
