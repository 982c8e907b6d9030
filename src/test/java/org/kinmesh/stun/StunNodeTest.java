package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.Node;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.util.TimeSource;

/** A whole node finds its endpoint with the relay's STUN responder and shows it in /status. */
class StunNodeTest {
  @TempDir
  Path dir;

  private Path genesis(Identity me) throws Exception {
    Block g = Genesis.build(new GenesisSpec(new ChainParams("stunchain", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000, List.of(new GenesisSpec.Guardian(TestKeys.key(300).publicKeyHex(), "G")),
        List.of(new GenesisSpec.ConsensusNode(me.publicKeyHex(), 1))));
    Path file = dir.resolve("genesis.json");
    Files.write(file, g.toJsonBytes());
    return file;
  }

  private static JsonObject status(int apiPort) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + apiPort + "/status")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private Node start(Vertx vertx, Identity me, Path genesisFile, String name, JsonArray stunServers) throws Exception {
    JsonObject json = new JsonObject().put("identity_path", "unused").put("genesis_path", genesisFile.toString())
        .put("data_dir", dir.resolve(name).toString()).put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0)
        .put("relay_url", "http://127.0.0.1:9");
    if (stunServers != null) {
      json.put("stun_servers", stunServers);
    }
    Node node = new Node(NodeConfig.fromJson(json, Map.of(), null), me, Node.readGenesis(
        NodeConfig.fromJson(json, Map.of(), null)), TimeSource.SYSTEM);
    Await.result(vertx.deployVerticle(node));
    return node;
  }

  @Test
  void statusShowsThePublicEndpointAndNatType() throws Exception {
    Identity me = TestKeys.key(301);
    Path genesisFile = genesis(me);
    try (LocalRelay relay = new LocalRelay(dir, "stunchain", new JsonObject().put("stun_alternate", "127.0.0.2"),
        new ManualTimeSource(LocalRelay.START_SECS * 1000)).start()) {
      Vertx vertx = Vertx.vertx();
      try {
        // the view travels typed between verticles (issue 14); the status below is its JSON at the edge
        io.vertx.core.Promise<Object> published = io.vertx.core.Promise.promise();
        vertx.eventBus().localConsumer(StunAddresses.DEFAULT.state(), m -> published.tryComplete(m.body()));
        Node node = start(vertx, me, genesisFile, "a", new JsonArray().add("127.0.0.1:"
            + relay.stunAddresses().get(0).getPort()));
        assertThat(Await.result(published.future())).isInstanceOfSatisfying(StunView.class,
            v -> assertThat(v.publicEndpoint().map(e -> e.port())).contains(node.udpPort()));
        JsonObject s = status(node.apiPort());
        assertThat(s.getString("public_endpoint")).isEqualTo("127.0.0.1:" + node.udpPort());
        assertThat(s.getString("nat_type")).isEqualTo("open");
        JsonObject bus = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().nodeStatus(), null)).body();
        assertThat(bus.getString("public_endpoint")).isEqualTo(s.getString("public_endpoint"));
      } finally {
        Await.result(vertx.close());
      }
    }
  }

  @Test
  void aLoopbackNodeWithoutServersSaysUnknown() throws Exception {
    Identity me = TestKeys.key(302);
    Path genesisFile = genesis(me);
    Vertx vertx = Vertx.vertx();
    try {
      Node node = start(vertx, me, genesisFile, "b", null);
      JsonObject s = status(node.apiPort());
      assertThat(s.containsKey("public_endpoint")).isTrue();
      assertThat(s.getValue("public_endpoint")).isNull();
      assertThat(s.getString("nat_type")).isEqualTo("unknown");
    } finally {
      Await.result(vertx.close());
    }
  }
}
