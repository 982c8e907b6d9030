package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** NodeMetrics directly: each scrape shows the latest snapshot, nothing older. */
class NodeMetricsUpdateTest {
  private static final String KEY = "ab".repeat(32);

  private static JsonObject status(long height, String mode) {
    return new JsonObject().put("height", height).put("view", 2).put("view_changes", 2)
        .put("quorum", new JsonObject().put("mode", mode))
        .put("rejected", new JsonObject().put("stale", 5));
  }

  private static JsonArray peer(String path) {
    return new JsonArray().add(new JsonObject().put("pubkey", KEY).put("path", path));
  }

  @Test
  void aPeerMovingFromRelayedToDirectMovesItsOneAndTheQuorumModeFollows() {
    NodeMetrics m = new NodeMetrics();
    m.update(status(7, "degraded"), peer("relayed"));
    String first = m.scrape();
    assertThat(first).contains("kinmesh_peer_path{path=\"relayed\",peer=\"abababab\"} 1.0")
        .contains("kinmesh_peer_path{path=\"direct_udp\",peer=\"abababab\"} 0.0")
        .contains("kinmesh_quorum_mode{mode=\"degraded\"} 1.0").contains("kinmesh_quorum_mode{mode=\"healthy\"} 0.0")
        .contains("kinmesh_pbft_height 7.0").contains("kinmesh_pbft_view_changes_total 2.0")
        .contains("kinmesh_pbft_rejected_total{reason=\"stale\"} 5.0");
    m.update(status(8, "healthy"), peer("direct_udp"));
    String second = m.scrape();
    assertThat(second).contains("kinmesh_peer_path{path=\"relayed\",peer=\"abababab\"} 0.0")
        .contains("kinmesh_peer_path{path=\"direct_udp\",peer=\"abababab\"} 1.0")
        .contains("kinmesh_quorum_mode{mode=\"healthy\"} 1.0").contains("kinmesh_quorum_mode{mode=\"degraded\"} 0.0")
        .contains("kinmesh_pbft_height 8.0");
  }

  @Test
  void beforeAnySnapshotEveryModeReadsZeroRatherThanClaimingHealth() {
    assertThat(new NodeMetrics().scrape()).contains("kinmesh_quorum_mode{mode=\"healthy\"} 0.0")
        .doesNotContain("} 1.0");
  }
}
