package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.SmallTmpfs;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/**
 * Issue 13.3: the relay's database on a small tmpfs that a filler fills. /health must say so
 * (503, disk_full, where to free space), /register must answer 503 with that reason instead of
 * 500, /metrics must count the failed writes, and all of it must come back by itself once the
 * filler is deleted, with the registrations made since stored.
 */
class RelayDiskFullTest {
  final Identity operator = TestKeys.key(1);
  final Identity alice = TestKeys.key(2);

  @TempDir
  Path dir;

  @Test
  void aFullDiskShowsInHealthAndRegisterAndPassesWhenSpaceReturns() throws Exception {
    Path mnt = dir.resolve("small");
    try (SmallTmpfs fs = SmallTmpfs.mount(mnt, 4 * 1024);
        TestRelay relay = new TestRelay(mnt, operator, new JsonObject())) {
      long now = relay.clock.nowSeconds();
      assertThat(relay.post("/admin/register_blockchain", RegisterBlockchainRequest.sign(operator, "fam",
          RelayHttpTest.GENESIS, now, List.of(alice.publicKeyHex())).toJson()).statusCode()).isEqualTo(201);
      assertThat(register(relay, now).statusCode()).isEqualTo(200);
      assertThat(relay.get("/health").statusCode()).isEqualTo(200);

      fs.fill();
      // each registration needs a newer timestamp (replay protection), so the clock moves a second each time
      HttpResponse<String> refused = null;
      for (int i = 1; i <= 200 && (refused == null || refused.statusCode() == 200); i++) {
        relay.clock.advanceSeconds(1);
        refused = register(relay, relay.clock.nowSeconds());
      }
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("unavailable");
      assertThat(new JsonObject(refused.body()).getString("message")).contains("free space at " + mnt);
      HttpResponse<String> health = relay.get("/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
      assertThat(new JsonObject(health.body()).getString("reason")).isEqualTo("disk_full");
      assertThat(relay.get("/metrics").body()).containsPattern("kinmesh_relay_db_write_failures_total [1-9]");

      fs.free();
      relay.clock.advanceSeconds(1);
      HttpResponse<String> again = register(relay, relay.clock.nowSeconds());
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(relay.get("/health").statusCode()).isEqualTo(200);
      relay.restart();
      assertThat(relay.get("/lookup/fam/" + alice.publicKeyHex(), "Authorization",
          "Bearer " + new JsonObject(again.body()).getString("token")).statusCode()).isEqualTo(200);
    }
  }

  private HttpResponse<String> register(TestRelay relay, long ts) throws Exception {
    return relay.post("/register", RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, ts).toJson());
  }
}
