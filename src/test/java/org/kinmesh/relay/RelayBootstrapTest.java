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
}
