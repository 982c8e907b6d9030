package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/** A node starts with its relay down, answers its API, and undeploys leaving nothing open. */
class NodeLifecycleTest {
  @TempDir
  Path dir;

  @Test
  void startsWithoutTheRelayAndStopsCleanly() throws Exception {
    Identity me = TestKeys.key(201);
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams("life", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000, List.of(new GenesisSpec.Guardian(TestKeys.key(200).publicKeyHex(), "G")),
        List.of(new GenesisSpec.ConsensusNode(me.publicKeyHex(), 1), new GenesisSpec.ConsensusNode(
            TestKeys.key(202).publicKeyHex(), 2))));
    Path genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again at once: nobody listens there
    }
    NodeConfig cfg = NodeConfig.fromJson(new JsonObject().put("identity_path", "unused")
        .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve("n").toString())
        .put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0)
        .put("relay_url", "http://127.0.0.1:" + deadPort), Map.of(), null);
    Vertx vertx = Vertx.vertx();
    Node node = new Node(cfg, me, genesis, TimeSource.SYSTEM);
    String id = Await.result(vertx.deployVerticle(node));
    int api = node.apiPort();
    int links = node.linkPort();
    try (Socket s = new Socket("127.0.0.1", api)) {
      assertThat(s.isConnected()).isTrue();
    }
    JsonObject status = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().nodeStatus(), null)).body();
    assertThat(status.getJsonObject("quorum").getInteger("authorized")).isEqualTo(2);

    Await.result(vertx.undeploy(id));
    assertThat(vertx.deploymentIDs()).isEmpty();
    assertThatThrownBy(() -> new Socket("127.0.0.1", api).close()).isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> new Socket("127.0.0.1", links).close()).isInstanceOf(ConnectException.class);
    // the ledger database was closed: it opens again in a new node on the same directory
    Vertx again = Vertx.vertx();
    Node second = new Node(cfg, me, genesis, TimeSource.SYSTEM);
    Await.result(again.deployVerticle(second));
    Await.result(again.close());
    Await.result(vertx.close());
  }

  /** Issue 12.4, embedding: two nodes in one host (or two hosts in one JVM) on one data_dir. */
  @Test
  void aSecondNodeOnTheSameDataDirIsRefusedAndTheFirstKeepsRunning() throws Exception {
    Identity me = TestKeys.key(201);
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams("life", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000, List.of(new GenesisSpec.Guardian(TestKeys.key(200).publicKeyHex(), "G")),
        List.of(new GenesisSpec.ConsensusNode(me.publicKeyHex(), 1))));
    Path genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());
    NodeConfig cfg = NodeConfig.fromJson(new JsonObject().put("identity_path", "unused")
        .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve("n").toString())
        .put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0)
        .put("stun_servers", new io.vertx.core.json.JsonArray()), Map.of(), null);
    Vertx vertx = Vertx.vertx();
    Vertx other = Vertx.vertx();
    try {
      Node first = new Node(cfg, me, genesis, TimeSource.SYSTEM);
      Await.result(vertx.deployVerticle(first));
      for (Vertx host : List.of(vertx, other)) {
        Throwable err = Await.failure(host.deployVerticle(new Node(cfg, me, genesis, TimeSource.SYSTEM)));
        assertThat(err).hasMessageContaining(dir.resolve("n").toAbsolutePath().toString())
            .hasMessageContaining("another node in this process");
      }
      assertThat(other.deploymentIDs()).isEmpty();
      try (Socket s = new Socket("127.0.0.1", first.apiPort())) {
        assertThat(s.isConnected()).isTrue();
      }
    } finally {
      Await.result(other.close());
      Await.result(vertx.close());
    }
    // closing the host released the lock
    Vertx again = Vertx.vertx();
    Await.result(again.deployVerticle(new Node(cfg, me, genesis, TimeSource.SYSTEM)));
    Await.result(again.close());
  }
}
