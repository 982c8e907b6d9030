package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.util.ManualTimeSource;

/** The dashboard's snapshot, built from a real ledger's state (AdminApiFixture: 4 nodes, 2 guardians). */
class DashboardViewTest {
  static Path dir;
  static AdminApiFixture ledger;
  static GovernanceState state;
  static final String SELF = AdminApiFixture.NODES.get(0).publicKeyHex();
  static final String N2 = AdminApiFixture.NODES.get(1).publicKeyHex();
  static final String N3 = AdminApiFixture.NODES.get(2).publicKeyHex();
  static final String N4 = AdminApiFixture.NODES.get(3).publicKeyHex();

  @BeforeAll
  static void open() throws Exception {
    dir = Files.createTempDirectory("dashboard-view");
    ledger = new AdminApiFixture(dir, new ManualTimeSource(AdminApiFixture.T0 * 1000 + 5_000));
    state = ledger.store.state();
  }

  @AfterAll
  static void close() {
    ledger.close();
  }

  static JsonObject peer(String key, String path, Long rtt, String why) {
    return new JsonObject().put("pubkey", key).put("path", path).put("rtt_ms", rtt).put("why", why)
        .put("state", "none".equals(path) ? "down" : "up");
  }

  static JsonObject consensus(String mode) {
    return new JsonObject().put("role", "primary").put("view", 3).put("primary", SELF).put("in_view_change", false)
        .put("quorum", new JsonObject().put("mode", mode).put("threshold", 3).put("authorized", 4)
            .put("responding", 3).put("self_voting", true));
  }

  @Test
  void edgesCarryEachPeersPathAndRttAndANoPathPeerIsDown() {
    JsonArray peers = new JsonArray().add(peer(N2, "direct_udp", 4L, null)).add(peer(N3, "relayed", 31L, "both_symmetric"))
        .add(peer(N4, "none", 12L, "punch_failed"));
    JsonObject s = DashboardView.build(SELF, state, consensus("healthy"), peers, List.of(), List.of(), 1L);
    JsonArray edges = s.getJsonArray("edges");
    assertThat(edges).hasSize(3);
    assertThat(edges.getJsonObject(0).getMap()).containsEntry("from", SELF).containsEntry("to", N2)
        .containsEntry("path", "direct_udp").containsEntry("rtt_ms", 4L);
    assertThat(edges.getJsonObject(1).getMap()).containsEntry("path", "relayed").containsEntry("why", "both_symmetric");
    assertThat(edges.getJsonObject(2).getString("path")).isEqualTo("down");
    assertThat(edges.getJsonObject(2).getValue("rtt_ms")).as("no RTT claimed for a path that is down").isNull();
    assertThat(edges.getJsonObject(2).getString("why")).isEqualTo("punch_failed");
  }

  @Test
  void everyAuthorizedNodeIsOnTheMapOnceLabelledByNodeIdAndKeyPrefix() {
    JsonObject s = DashboardView.build(SELF, state, null, new JsonArray().add(peer(N2, "direct_tcp", 2L, null)),
        List.of(), List.of(), 1L);
    List<String> keys = s.getJsonArray("nodes").stream().map(o -> ((JsonObject) o).getString("key")).toList();
    assertThat(keys).containsExactlyInAnyOrder(SELF, N2, N3, N4);
    JsonObject self = s.getJsonArray("nodes").getJsonObject(0);
    assertThat(self.getMap()).containsEntry("key", SELF).containsEntry("self", true)
        .containsEntry("label", "node 1 · " + SELF.substring(0, 8)).containsEntry("consensus", true);
    assertThat(s.getJsonArray("edges")).as("an edge only where Links report a peer").hasSize(1);
  }

  @Test
  void withoutConsensusNoQuorumIsClaimed() {
    JsonObject s = DashboardView.build(SELF, state, null, null, List.of(), List.of(), 1L);
    assertThat(s.getValue("quorum")).isNull();
    assertThat(s.getJsonArray("edges")).isEmpty();
    assertThat(DashboardView.build(SELF, state, consensus("stalled"), null, List.of(), List.of(), 1L)
        .getJsonObject("quorum").getString("mode")).isEqualTo("stalled");
  }

  @Test
  void recentBlocksAreNewestFirstAndBounded() {
    List<Block> blocks = new ArrayList<>();
    String prev = state.headHash();
    for (int h = 1; h <= 12; h++) {
      Block b = Block.of(AdminApiFixture.CHAIN, h, prev, AdminApiFixture.T0 + h, N3, List.of(), List.of());
      blocks.add(b);
      prev = b.hash();
    }
    JsonArray recent = DashboardView.build(SELF, state, null, null, blocks, List.of(), 1L).getJsonArray("blocks");
    assertThat(recent).hasSize(DashboardView.RECENT_BLOCKS);
    assertThat(recent.getJsonObject(0).getLong("height")).isEqualTo(12);
    assertThat(recent.getJsonObject(0).getString("proposer_label")).isEqualTo("node 3 · " + N3.substring(0, 8));
  }

  @Test
  void aCallerTheAdminRoutesWouldRefuseGetsNoApprovalsOrAuditAndIsToldWhy() {
    JsonObject s = DashboardView.build(SELF, state, null, null, List.of(),
        org.kinmesh.testing.Await.result(ledger.store.auditAll()), 1L);
    assertThat(s.getJsonArray("audit")).as("genesis registered four nodes and two guardians").isNotEmpty();
    JsonObject hidden = DashboardView.withoutAdmin(s);
    assertThat(hidden.containsKey("audit")).isFalse();
    assertThat(hidden.containsKey("approvals")).isFalse();
    assertThat(hidden.getString("admin_hidden")).contains("admin_allow_remote");
    assertThat(s.containsKey("audit")).as("the shared snapshot is left as it was").isTrue();
  }

  /** Whatever Links report, each peer is one node and one edge from this node, and no node twice. */
  @Property(tries = 200)
  void onePeerOneEdge(@ForAll @Size(max = 4) List<@IntRange(min = 0, max = 3) Integer> paths) {
    List<String> others = List.of(N2, N3, N4);
    String[] kinds = {"direct_udp", "direct_tcp", "relayed", "none"};
    JsonArray peers = new JsonArray();
    for (int i = 0; i < Math.min(paths.size(), others.size()); i++) {
      peers.add(peer(others.get(i), kinds[paths.get(i)], 1L, null));
    }
    JsonObject s = DashboardView.build(SELF, state, null, peers, List.of(), List.of(), 1L);
    assertThat(s.getJsonArray("edges")).hasSize(peers.size());
    s.getJsonArray("edges").forEach(e -> assertThat(((JsonObject) e).getString("path"))
        .isIn("direct_udp", "direct_tcp", "relayed", "down"));
    List<String> keys = s.getJsonArray("nodes").stream().map(o -> ((JsonObject) o).getString("key")).toList();
    assertThat(keys).doesNotHaveDuplicates().hasSize(4);
  }
}
