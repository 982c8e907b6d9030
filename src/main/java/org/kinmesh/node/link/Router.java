package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;

/** Sends a payload to a peer on its chosen path, falling back along the others when that one refuses. */
final class Router {
  private final LinkContext ctx;
  private final PeerEvents events;
  private final UdpPaths udp;
  private final RelayedPath relayed;

  Router(LinkContext ctx, PeerEvents events, UdpPaths udp, RelayedPath relayed) {
    this.ctx = ctx;
    this.events = events;
    this.udp = udp;
    this.relayed = relayed;
  }

  /** LINKS_SEND: {"to", "payload"}. */
  void send(JsonObject b) {
    String to = b == null ? null : b.getValue("to") instanceof String s ? s : null;
    String payload = b == null ? null : b.getValue("payload") instanceof String s ? s : null;
    Peer p = ctx.peer(to);
    if (payload == null || p == null) {
      ctx.counters.increment("send_not_connected");
      return;
    }
    route(p, payload);
  }

  /** LINKS_BROADCAST: {"payload"} to every peer (we are never one of them). */
  void broadcast(JsonObject b) {
    String payload = b != null && b.getValue("payload") instanceof String s ? s : null;
    if (payload == null) {
      ctx.counters.increment("send_malformed");
      return;
    }
    for (Peer p : ctx.peers.values()) {
      route(p, payload);
    }
  }

  void route(Peer p, String payload) {
    PathKind chosen = events.reselect(p);
    if (chosen == PathKind.DIRECT_UDP && udp.send(p, payload)) {
      return;
    }
    LinkSession s = p.session();
    boolean direct = (chosen == PathKind.DIRECT_TCP || chosen == PathKind.DIRECT_UDP)
        && ctx.policy != PathPolicy.FORCE_RELAY;
    if (direct && s != null && s.isOpen()) {
      if (!s.send(payload)) {
        ctx.counters.increment("send_refused");
      }
      return;
    }
    if (direct && s == null && p.tcp.hold(payload)) {
      return; // a hand-over between two of the peer's links: it goes out on the kept one
    }
    if (chosen != PathKind.NONE && ctx.policy != PathPolicy.DIRECT_ONLY && p.selector.isUp(PathKind.RELAYED)) {
      relayed.send(p.key, payload);
      return;
    }
    ctx.counters.increment(chosen == PathKind.NONE ? "send_not_connected" : "send_refused");
  }
}
