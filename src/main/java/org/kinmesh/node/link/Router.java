package org.kinmesh.node.link;

import java.nio.charset.StandardCharsets;

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

  /** LINKS_SEND: a payload for the peer {@code m.peer()}. */
  void send(LinkMessage m) {
    Peer p = m == null || m.peer() == null ? null : ctx.peer(m.peer());
    if (p == null) {
      ctx.counters.increment("send_not_connected");
      return;
    }
    p.bytesOut += m.payload().length;
    route(p, m.payload(), null);
  }

  /** LINKS_BROADCAST: the payload to every peer (we are never one of them). */
  void broadcast(LinkMessage m) {
    if (m == null) {
      ctx.counters.increment("send_malformed");
      return;
    }
    String text = null; // made once for all the peers whose path frames it as a JSON string
    for (Peer p : ctx.peers.values()) {
      p.bytesOut += m.payload().length;
      text = route(p, m.payload(), text);
    }
  }

  void route(Peer p, byte[] payload) {
    route(p, payload, null);
  }

  /**
   * Sends on the chosen path; UDP takes the bytes as they are, TCP and the relay frame the payload
   * as a JSON string. Returns that string when it was made (or {@code text} as given), for reuse.
   */
  private String route(Peer p, byte[] bytes, String text) {
    PathKind chosen = events.reselect(p);
    if (chosen == PathKind.DIRECT_UDP && udp.send(p, bytes)) {
      return text;
    }
    String payload = text != null ? text : new String(bytes, StandardCharsets.UTF_8);
    LinkSession s = p.session();
    boolean direct = (chosen == PathKind.DIRECT_TCP || chosen == PathKind.DIRECT_UDP)
        && ctx.policy != PathPolicy.FORCE_RELAY;
    if (direct && s != null && s.isOpen()) {
      if (!s.send(payload)) {
        ctx.counters.increment("send_refused");
      }
      return payload;
    }
    if (direct && s == null && p.tcp.hold(payload)) {
      return payload; // a hand-over between two of the peer's links: it goes out on the kept one
    }
    if (chosen != PathKind.NONE && ctx.policy != PathPolicy.DIRECT_ONLY && p.selector.isUp(PathKind.RELAYED)) {
      relayed.send(p.key, payload);
      return payload;
    }
    ctx.counters.increment(chosen == PathKind.NONE ? "send_not_connected" : "send_refused");
    return payload;
  }
}
