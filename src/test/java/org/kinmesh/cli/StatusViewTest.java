package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StatusViewTest {
  private static final String SELF = "a".repeat(64);
  private static final String MUM = "b".repeat(64);
  private static final String PEER = "c".repeat(64);

  @Test
  void aSuspendedNodeSaysUntilWhenAndByWhomAndAFailingPunchItsRoundsAndNextTry() {
    JsonObject status = new JsonObject().put("pubkey", SELF).put("blockchain_id", "family").put("height", 9)
        .put("role", "backup").put("participation", new JsonObject().put("voting", false))
        .put("quorum", new JsonObject().put("mode", "healthy").put("responding", 3).put("authorized", 3)
            .put("threshold", 3));
    JsonArray peers = new JsonArray().add(new JsonObject().put("pubkey", PEER).put("path", "relayed")
        .put("nat", "symmetric").put("own_nat", "port_restricted").put("reason", "punch_failed")
        .put("reason_detail", new JsonObject().put("attempts", 31).put("next_try_in_ms", 9500)));
    JsonObject snapshot = new JsonObject().put("now", 1_000_000L).put("chain", new JsonObject().put("head_time", 990L))
        .put("nodes", new JsonArray().add(new JsonObject().put("key", MUM).put("label", "Mum's laptop")));
    JsonObject nodes = new JsonObject().put("nodes", new JsonArray().add(new JsonObject().put("pubkey", SELF)
        .put("status", "suspended").put("suspended_until", 1_800_000_000L)));
    JsonArray audit = new JsonArray().add(new JsonObject().put("action", "node_suspended").put("actor", MUM)
        .put("target", SELF).put("reason", "lost"));
    JsonObject g = StatusView.gather("http://127.0.0.1:1", status, peers, snapshot, nodes, audit);
    assertThat(g.getJsonObject("chain").getLong("head_age_secs")).isEqualTo(10);
    assertThat(g.getJsonObject("standing").getString("suspended_by")).isEqualTo("Mum's laptop");
    String screen = StatusView.render(g);
    assertThat(screen).contains("head 10 s old", "self    suspended until 2027-01-15T08:00:00Z by Mum's laptop, not voting");
    assertThat(screen).contains("cccccccc", "relayed", "symmetric/port_restricted",
        "punch_failed (31 rounds, next in 9500 ms)");
  }

  @Test
  void withoutTheAdminApiOrSnapshotNothingIsClaimed() {
    JsonObject status = new JsonObject().put("pubkey", SELF).put("blockchain_id", "family").put("height", 1);
    JsonArray peers = new JsonArray().add(new JsonObject().put("pubkey", PEER).put("path", "none"));
    JsonObject g = StatusView.gather("u", status, peers, null, null, null);
    String screen = StatusView.render(g);
    assertThat(screen).contains("age unknown", "quorum  unknown", "self    unknown, voting unknown");
    assertThat(g.getJsonArray("peers").getJsonObject(0).getString("reason")).as("no reason from the node").isEqualTo("unknown");
  }
}
