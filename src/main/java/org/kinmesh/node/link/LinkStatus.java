package org.kinmesh.node.link;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.kinmesh.wire.gossip.Endpoint;

/** The PEERS_STATUS answer: every peer's path, state and dialing, and the rejection counters (docs/links.md §5). */
final class LinkStatus {
  private LinkStatus() {}

  /**
   * @param ownNat our NAT type as STUN classified it
   * @param punches the Punch verticle's running attempts ({"peer","rounds","next_round_in_ms"}), or null
   */
  static JsonObject of(LinkContext ctx, UdpPaths udp, String ownNat, JsonArray punches) {
    java.util.Map<String, JsonObject> punchOf = new java.util.HashMap<>();
    if (punches != null) {
      for (Object o : punches) {
        if (o instanceof JsonObject a && a.getValue("peer") instanceof String k) {
          punchOf.put(k, a);
        }
      }
    }
    JsonArray list = new JsonArray();
    for (Peer p : ctx.peers.values()) {
      LinkSession s = p.session();
      boolean up = s != null && s.isOpen();
      PathKind path = p.selector.active();
      Endpoint udpEndpoint = udp.endpoint(p.key);
      // The address traffic goes to; through the relay that is the relay's business, not the peer's.
      String endpoint = path == PathKind.RELAYED || path == PathKind.NONE ? null
          : path == PathKind.DIRECT_UDP && udpEndpoint != null ? udpEndpoint.toString()
          : up ? s.remoteAddress() : p.dialed != null ? p.dialed : p.endpoint;
      long rtt = path == PathKind.DIRECT_UDP ? udp.rttMillis(p.key) : p.selector.rttMillis(path);
      long seen = p.lastSeen();
      JsonObject punch = punchOf.get(p.key);
      PeerReason.Input in = new PeerReason.Input(path, ctx.policy, p.peerForceRelay, p.refused, ownNat, p.nat,
          udpEndpoint != null || p.endpoint != null || p.dialed != null || !p.tableEndpoints.isEmpty(),
          punch == null ? 0 : punch.getInteger("rounds", 0), punch == null ? -1 : punch.getLong("next_round_in_ms", -1L));
      String reason = PeerReason.code(in);
      list.add(new JsonObject().put("pubkey", p.key).put("path", path.text()).put("why", p.selector.reason())
          .put("rtt_ms", rtt < 0 ? null : rtt).put("endpoint", endpoint)
          .put("nat", p.nat).put("last_seen", seen < 0 ? null : seen).put("state", PeerEvents.stateText(p))
          .put("direction", up ? (s.dialedBySelf() ? "out" : "in") : null)
          .put("failures", p.breaker.consecutiveFailures()).put("last_error", p.lastError)
          // Machine-readable: why the peer is refused (e.g. genesis_mismatch ours=.. theirs=..), and
          // which side's policy keeps it relayed.
          .put("refused", p.refused)
          // Machine-readable: why the peer is not direct (docs/links.md §5); null when it is.
          .put("reason", reason).put("reason_detail", reason == null ? null : PeerReason.detail(in, reason))
          .put("own_nat", ownNat)
          .put("bytes_in", p.bytesIn).put("bytes_out", p.bytesOut)
          .put("policy", ctx.policy == PathPolicy.FORCE_RELAY ? "force_relay"
              : p.peerForceRelay ? "peer_force_relay" : null));
    }
    JsonObject rejections = new JsonObject();
    ctx.counters.snapshot().forEach(rejections::put);
    return new JsonObject().put("peers", list).put("rejections", rejections);
  }
}
