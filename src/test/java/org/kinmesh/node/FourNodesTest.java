package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/** A relay and four nodes, each in its own Vert.x, find each other through the relay and commit blocks. */
class FourNodesTest {
  @TempDir
  Path dir;
  final List<Vertx> vertxes = new ArrayList<>();
  final List<Node> nodes = new ArrayList<>();
  final List<Identity> keys = List.of(TestKeys.key(101), TestKeys.key(102), TestKeys.key(103), TestKeys.key(104));

  @AfterEach
  void stop() {
    for (Vertx v : vertxes) {
      Await.result(v.close());
    }
  }

  Vertx newVertx() {
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    return v;
  }

  @Test
  void fourNodesReachConsensusThroughTheRelay() throws Exception {
    Identity guardian = TestKeys.key(100);
    List<GenesisSpec.ConsensusNode> cn = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      cn.add(new GenesisSpec.ConsensusNode(keys.get(i).publicKeyHex(), i + 1));
    }
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams("four", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000 - 10, List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "Mum")), cn));
    Path genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());

    RelayVerticle relay = new RelayVerticle(RelayConfig.fromJson(new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString()).put("http_instances", 1)
        .put("bootstrap", new JsonArray().add(genesisFile.toString())), Map.of()));
    Await.result(newVertx().deployVerticle(relay));
    String relayUrl = "http://127.0.0.1:" + relay.boundPort();

    List<Promise<JsonObject>> reached = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      NodeConfig cfg = NodeConfig.fromJson(new JsonObject().put("identity_path", "unused")
          .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve("n" + i).toString())
          .put("api_listen", "127.0.0.1:0").put("gossip_udp_port", 0).put("relay_url", relayUrl)
          .put("block_interval_ms", 100).put("empty_block_interval_ms", 500), Map.of(), null);
      Vertx v = newVertx();
      Promise<JsonObject> at3 = Promise.promise();
      reached.add(at3);
      v.eventBus().<JsonObject>consumer(Addresses.CHAIN_COMMITTED, m -> {
        if (m.body().getLong("height") == 3) {
          at3.tryComplete(m.body());
        }
      });
      Node node = new Node(cfg, keys.get(i), genesis, TimeSource.SYSTEM);
      nodes.add(node);
      Await.result(v.deployVerticle(node));
    }
    List<String> hashes = new ArrayList<>();
    for (Promise<JsonObject> p : reached) {
      hashes.add(Await.result(p.future()).getString("hash"));
    }
    assertThat(hashes).hasSize(4).containsOnly(hashes.get(0));
  }
}
