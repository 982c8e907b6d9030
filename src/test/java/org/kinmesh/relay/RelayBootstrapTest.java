package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.RegisterRequest;

class RelayBootstrapTest {
  @TempDir
  Path dir;

  @Test
  void bootstrapSnapshotsAreUsableAtOnceAndIdempotent() throws Exception {
    Identity admin = TestKeys.key(10);
    Identity node = TestKeys.key(11);
    JsonObject snapshot = new JsonObject().put("blockchain_id", "fam").put("genesis_hash", RelayHttpTest.GENESIS)
        .put("admin_pubkey", admin.publicKeyHex()).put("authorized_pubkeys", new JsonArray().add(node.publicKeyHex()));
    JsonObject cfg = new JsonObject().put("bootstrap", new JsonArray().add(snapshot));
    try (TestRelay relay = new TestRelay(dir, TestKeys.key(1), cfg)) {
      var r = relay.post("/register", RegisterRequest.sign(node, "fam", "203.0.113.1", 7070,
          relay.clock.nowSeconds()).toJson());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      relay.restart(); // applying the same snapshot again is fine
      assertThat(relay.get("/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aSnapshotThatDisagreesWithTheDatabaseStopsStartUp() throws Exception {
    Identity admin = TestKeys.key(10);
    JsonObject snapshot = new JsonObject().put("blockchain_id", "fam").put("genesis_hash", RelayHttpTest.GENESIS)
        .put("admin_pubkey", admin.publicKeyHex());
    try (TestRelay relay = new TestRelay(dir, TestKeys.key(1), new JsonObject().put("bootstrap",
        new JsonArray().add(snapshot)))) {
      relay.stop();
    }
    JsonObject other = snapshot.copy().put("genesis_hash", RelayHttpTest.OTHER_GENESIS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TestRelay(dir, TestKeys.key(1),
            new JsonObject().put("bootstrap", new JsonArray().add(other))).close())
        .hasMessageContaining("disagrees");
  }

  @Test
  void aGenesisFileAuthorizesTheKeysItRegisters() throws Exception {
    Identity guardian = TestKeys.key(20);
    Identity node1 = TestKeys.key(21);
    Identity node2 = TestKeys.key(22);
    Identity outsider = TestKeys.key(23);
    String spec = new JsonObject().put("blockchain_id", "family_net").put("deauth_threshold", 1)
        .put("guardians", new JsonArray().add(new JsonObject().put("pubkey", guardian.publicKeyHex())
            .put("display_name", "Mum")))
        .put("consensus_nodes", new JsonArray()
            .add(new JsonObject().put("pubkey", node1.publicKeyHex()).put("node_id", 1))
            .add(new JsonObject().put("pubkey", node2.publicKeyHex()).put("node_id", 2))).encode();
    org.kinmesh.chain.Block genesis = org.kinmesh.chain.Genesis.build(org.kinmesh.chain.GenesisSpec.parse(
        spec.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Path file = dir.resolve("genesis.json");
    java.nio.file.Files.write(file, genesis.toJsonBytes());
    try (TestRelay relay = new TestRelay(dir, TestKeys.key(1), new JsonObject().put("bootstrap",
        new JsonArray().add(file.toString())))) {
      long now = relay.clock.nowSeconds();
      assertThat(relay.post("/register", RegisterRequest.sign(node1, "family_net", "203.0.113.1", 7070, now).toJson())
          .statusCode()).isEqualTo(200);
      assertThat(relay.post("/register", RegisterRequest.sign(node2, "family_net", "203.0.113.2", 7070, now).toJson())
          .statusCode()).isEqualTo(200);
      RelayHttpTest.assertError(relay.post("/register", RegisterRequest.sign(outsider, "family_net", "203.0.113.3", 7070,
          now).toJson()), 403, "unauthorized");
      // the first guardian administers it on the relay
      var add = relay.post("/admin/authorize_node", org.kinmesh.wire.relay.AuthorizeNodeRequest.sign(guardian,
          "family_net", outsider.publicKeyHex(), org.kinmesh.wire.relay.AuthorizeNodeRequest.Action.ADD, now).toJson());
      assertThat(add.statusCode()).as(add.body()).isEqualTo(200);
    }
  }

  @Test
  void aBadGenesisFileStopsStartUpNamingTheKey() throws Exception {
    Path file = dir.resolve("genesis.json");
    java.nio.file.Files.writeString(file, "{\"not\": \"a block\"}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject().put("bootstrap",
            new JsonArray().add(file.toString())), java.util.Map.of()))
        .hasMessageStartingWith("config 'bootstrap[0].genesis_path'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject().put("bootstrap",
            new JsonArray().add(dir.resolve("missing.json").toString())), java.util.Map.of()))
        .hasMessageContaining("cannot read genesis file");
  }
}
