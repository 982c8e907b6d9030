package org.kinmesh.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * `kinmesh status` without I/O: the node's answers (/status, /peers, /dashboard/snapshot and, on
 * loopback, /admin/nodes/status and /admin/audit) gathered into one object, and that object as one screen.
 */
final class StatusView {
  private StatusView() {}

  /**
   * @param status the /status answer
   * @param peers the /peers list
   * @param snapshot the dashboard snapshot (names, head time, the node's clock), or null
   * @param nodes /admin/nodes/status, or null when the admin API does not answer (not loopback)
   * @param audit /admin/audit's entries, or null
   */
  static JsonObject gather(String url, JsonObject status, JsonArray peers, JsonObject snapshot, JsonObject nodes,
      JsonArray audit) {
    String self = status.getString("pubkey");
    JsonObject chain = new JsonObject().put("blockchain_id", status.getString("blockchain_id"))
        .put("height", status.getValue("height"));
    JsonObject snapChain = snapshot == null ? null : snapshot.getJsonObject("chain");
    if (snapChain != null && snapChain.getValue("head_time") instanceof Number t
        && snapshot.getValue("now") instanceof Number now) {
      chain.put("head_time", t.longValue()).put("head_age_secs", Math.max(0, now.longValue() / 1000 - t.longValue()));
    }
    List<JsonObject> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Object o : peers) {
      if (!(o instanceof JsonObject p)) {
        continue;
      }
      String key = p.getString("pubkey", "");
      String path = p.getString("path", "none");
      String shown = "none".equals(path) ? "down" : path;
      JsonObject node = node(snapshot, key);
      boolean consensus = node == null || node.getBoolean("consensus", true);
      if ("down".equals(shown) && consensus) {
        missing.add(name(snapshot, key));
      }
      out.add(new JsonObject().put("name", name(snapshot, key)).put("pubkey", key).put("path", shown)
          .put("endpoint", p.getValue("endpoint")).put("rtt_ms", p.getValue("rtt_ms"))
          .put("nat", p.getValue("nat")).put("own_nat", p.getValue("own_nat"))
          .put("bytes_in", p.getValue("bytes_in")).put("bytes_out", p.getValue("bytes_out"))
          .put("reason", shown.startsWith("direct") ? null : p.getValue("reason", "unknown"))
          .put("reason_detail", p.getValue("reason_detail")));
    }
    JsonObject q = status.getJsonObject("quorum", new JsonObject());
    JsonObject quorum = new JsonObject().put("mode", q.getString("mode", "unknown"))
        .put("responding", q.getValue("responding")).put("authorized", q.getValue("authorized"))
        .put("threshold", q.getValue("threshold")).put("missing", new JsonArray(missing));
    return new JsonObject().put("node", url).put("self", self).put("name", name(snapshot, self)).put("chain", chain)
        .put("quorum", quorum).put("standing", standing(self, status, nodes, audit, snapshot))
        .put("peers", new JsonArray(new ArrayList<Object>(out.stream()
            .sorted(java.util.Comparator.comparing((JsonObject p) -> p.getString("name"))).toList())));
  }

  /** Active or suspended (until when, by whom), voting or not, primary or backup. */
  private static JsonObject standing(String self, JsonObject status, JsonObject nodes, JsonArray audit,
      JsonObject snapshot) {
    JsonObject s = new JsonObject();
    JsonObject part = status.getJsonObject("participation");
    s.put("voting", part == null ? null : part.getValue("voting")).put("role", status.getValue("role"));
    String st = null;
    if (nodes != null) {
      for (Object o : nodes.getJsonArray("nodes", new JsonArray())) {
        if (o instanceof JsonObject n && self.equals(n.getString("pubkey"))) {
          st = n.getString("status");
          if ("suspended".equals(st)) {
            s.put("suspended_until", n.getValue("suspended_until"));
          }
        }
      }
    } else {
      JsonObject n = node(snapshot, self);
      st = n == null ? null : n.getString("status");
    }
    s.put("status", st == null ? "unknown" : st);
    if ("suspended".equals(st) && audit != null) {
      for (Object o : audit) {
        if (o instanceof JsonObject e && "node_suspended".equals(e.getString("action"))
            && self.equals(e.getString("target"))) {
          s.put("suspended_by", name(snapshot, e.getString("actor", ""))).put("suspended_reason", e.getString("reason"));
        }
      }
    }
    return s;
  }

  private static JsonObject node(JsonObject snapshot, String key) {
    if (snapshot != null) {
      for (Object o : snapshot.getJsonArray("nodes", new JsonArray())) {
        if (o instanceof JsonObject n && key.equals(n.getString("key"))) {
          return n;
        }
      }
    }
    return null;
  }

  /** The name the chain gives the key, else its first 8 hex digits. */
  static String name(JsonObject snapshot, String key) {
    JsonObject n = node(snapshot, key);
    String label = n == null ? null : n.getString("label");
    return label != null && !label.isBlank() ? label : key.length() > 8 ? key.substring(0, 8) : key;
  }

  /** The gathered object as one screen. */
  static String render(JsonObject g) {
    StringBuilder sb = new StringBuilder();
    JsonObject c = g.getJsonObject("chain");
    String key = shortKey(g.getString("self"));
    String name = g.getString("name");
    sb.append(String.format("node    %s at %s%n", name.contains(key) ? name : name + " (" + key + ")", g.getString("node")));
    sb.append(String.format("chain   %s  height %s  head %s%n", c.getString("blockchain_id"), c.getValue("height"),
        c.getValue("head_age_secs") == null ? "age unknown" : c.getValue("head_age_secs") + " s old"));
    JsonObject q = g.getJsonObject("quorum");
    JsonArray missing = q.getJsonArray("missing");
    sb.append(String.format("quorum  %s  %s of %s responding, %s needed%s%n", q.getString("mode"),
        or(q.getValue("responding")), or(q.getValue("authorized")), or(q.getValue("threshold")),
        missing.isEmpty() ? "" : "  missing: " + String.join(", ", missing.stream().map(Object::toString).toList())));
    JsonObject s = g.getJsonObject("standing");
    String standing = s.getString("status");
    if (s.getValue("suspended_until") instanceof Number until) {
      standing += " until " + Instant.ofEpochSecond(until.longValue());
    }
    if (s.getString("suspended_by") != null) {
      standing += " by " + s.getString("suspended_by");
    }
    sb.append(String.format("self    %s, %s, %s%n", standing,
        Boolean.TRUE.equals(s.getValue("voting")) ? "voting" : Boolean.FALSE.equals(s.getValue("voting"))
            ? "not voting" : "voting unknown", or(s.getValue("role"))));
    sb.append(String.format("%n%-20s %-10s %-22s %6s %-27s %-15s %s%n", "PEER", "PATH", "ENDPOINT", "RTT_MS",
        "NAT (peer/own)", "BYTES in/out", "REASON"));
    for (Object o : g.getJsonArray("peers")) {
      JsonObject p = (JsonObject) o;
      String reason = p.getString("reason");
      JsonObject d = p.getJsonObject("reason_detail");
      if (reason != null && d != null && d.getValue("attempts") != null) {
        reason += " (" + d.getValue("attempts") + " rounds, next in " + d.getValue("next_try_in_ms") + " ms)";
      }
      sb.append(String.format("%-20s %-10s %-22s %6s %-27s %-15s %s%n", cut(p.getString("name"), 20), p.getString("path"),
          or(p.getValue("endpoint")), or(p.getValue("rtt_ms")), or(p.getValue("nat")) + "/" + or(p.getValue("own_nat")),
          p.getValue("bytes_in") == null ? "-" : p.getValue("bytes_in") + "/" + or(p.getValue("bytes_out")), or(reason)));
    }
    return sb.toString();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String shortKey(String key) {
    return key == null ? "-" : key.length() > 8 ? key.substring(0, 8) : key;
  }

  private static String or(Object v) {
    return v == null ? "-" : v.toString();
  }
}
