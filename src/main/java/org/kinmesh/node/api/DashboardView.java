package org.kinmesh.node.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Proposal;

/**
 * What the dashboard shows (docs/node.md, "Dashboard"), built from what the node's own routes
 * report: the map (this node and every peer, an edge per peer with its path and RTT, as this
 * node's links see them), the chain head, quorum health, recent blocks and, for a caller the
 * admin routes would serve, pending approvals and the audit trail. Pure: no I/O.
 */
public final class DashboardView {
  /** How many recent blocks and audit entries a snapshot carries. */
  public static final int RECENT_BLOCKS = 8;
  public static final int RECENT_AUDIT = 20;

  private DashboardView() {}

  /**
   * @param self this node's key
   * @param state the committed governance state
   * @param consensus the NODE_STATUS answer, or null when consensus does not answer
   * @param peers the /peers list (Links' PEERS_STATUS "peers"), or null when Links do not answer
   * @param blocks recent blocks, any order
   * @param audit the audit trail (all entries; the newest RECENT_AUDIT are kept)
   * @param nowMillis the node's clock, so the page shows the head's age by the node, not the browser
   */
  public static JsonObject build(String self, GovernanceState state, JsonObject consensus, JsonArray peers,
      List<Block> blocks, List<AuditEntry> audit, long nowMillis) {
    Map<String, JsonObject> nodes = new LinkedHashMap<>();
    nodes.put(self, node(self, state, true));
    JsonArray edges = new JsonArray();
    if (peers != null) {
      for (Object o : peers) {
        JsonObject p = (JsonObject) o;
        String key = p.getString("pubkey");
        nodes.putIfAbsent(key, node(key, state, false));
        String path = p.getString("path");
        // Links say "none" when no path carries traffic: the peer is down from here.
        String shown = path == null || path.equals("none") ? "down" : path;
        edges.add(new JsonObject().put("from", self).put("to", key).put("path", shown)
            .put("rtt_ms", "down".equals(shown) ? null : p.getValue("rtt_ms")).put("why", p.getString("why"))
            .put("endpoint", p.getString("endpoint")).put("state", p.getString("state")));
      }
    }
    // Authorized nodes Links do not list yet still belong on the map (without an edge).
    for (NodeRecord n : state.nodes().values()) {
      nodes.putIfAbsent(n.pubkey(), node(n.pubkey(), state, false));
    }
    JsonObject chain = new JsonObject().put("blockchain_id", state.params().blockchainId())
        .put("height", state.height()).put("head_hash", state.headHash()).put("head_time", state.time());
    JsonObject quorum = null;
    if (consensus != null) {
      JsonObject q = consensus.getJsonObject("quorum", new JsonObject());
      quorum = new JsonObject().put("mode", q.getString("mode")).put("threshold", q.getValue("threshold"))
          .put("authorized", q.getValue("authorized")).put("responding", q.getValue("responding"))
          .put("self_voting", q.getValue("self_voting")).put("role", consensus.getString("role"))
          .put("view", consensus.getValue("view")).put("primary", consensus.getString("primary"))
          .put("in_view_change", consensus.getValue("in_view_change"));
    }
    JsonArray recent = new JsonArray();
    blocks.stream().sorted((a, b) -> Long.compare(b.height(), a.height())).limit(RECENT_BLOCKS)
        .forEach(b -> recent.add(new JsonObject().put("height", b.height()).put("hash", b.hash())
            .put("proposer", b.proposer()).put("proposer_label", label(b.proposer(), state))
            .put("timestamp", b.timestamp()).put("transactions", b.transactions().size())));
    JsonArray approvals = new JsonArray();
    for (Proposal p : state.proposals().values()) {
      approvals.add(new JsonObject().put("resource_id", p.resourceId()).put("type", p.tx().type().wire())
          .put("proposer", p.tx().sender()).put("expires_at", p.expiresAt())
          .put("approvals", p.approvers().size()).put("needed", state.approvalThreshold()));
    }
    JsonArray trail = new JsonArray();
    List<AuditEntry> newest = new ArrayList<>(audit);
    newest.sort((a, b) -> a.height() != b.height() ? Long.compare(b.height(), a.height()) : Long.compare(b.seq(), a.seq()));
    newest.stream().limit(RECENT_AUDIT).forEach(e -> trail.add(new JsonObject().put("height", e.height())
        .put("timestamp", e.timestamp()).put("actor", e.actor()).put("action", e.action()).put("target", e.target())
        .put("reason", e.reason())));
    return new JsonObject().put("now", nowMillis).put("self", self).put("chain", chain).put("quorum", quorum)
        .put("nodes", new JsonArray(new ArrayList<Object>(nodes.values()))).put("edges", edges)
        .put("blocks", recent).put("approvals", approvals).put("audit", trail);
  }

  /**
   * The snapshot for a caller the admin routes do not serve (not loopback, admin_allow_remote off):
   * approvals and the audit trail are admin reads, so they are left out, saying why.
   */
  public static JsonObject withoutAdmin(JsonObject snapshot) {
    JsonObject out = snapshot.copy();
    out.remove("approvals");
    out.remove("audit");
    return out.put("admin_hidden", "approvals and the audit trail are shown on loopback only "
        + "(set admin_allow_remote to show them to other addresses)");
  }

  private static JsonObject node(String key, GovernanceState state, boolean self) {
    NodeRecord r = state.nodes().get(key);
    return new JsonObject().put("key", key).put("label", label(key, state)).put("self", self)
        .put("consensus", r != null && r.consensusNode()).put("status", r == null ? "unknown" : r.status().wire());
  }

  /** "node 3 · 1a2b3c4d" for a registered node, else the key's first 8 characters. */
  static String label(String key, GovernanceState state) {
    String prefix = key == null ? "?" : key.substring(0, Math.min(8, key.length()));
    NodeRecord r = key == null ? null : state.nodes().get(key);
    return r == null ? prefix : "node " + r.nodeId() + " · " + prefix;
  }
}
