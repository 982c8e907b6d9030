package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;
import org.kinmesh.node.relay.RelayedAddresses;

/**
 * The relayed path: while our relayed-traffic connection to the relay is up, every peer may be
 * reachable through it, until the relay says a peer is not connected there (then that peer is
 * tried again after {@link #RETRY_MS}).
 */
final class RelayedPath {
  /** What arrived from a peer through the relay (a link control message or a payload). */
  interface Receiver {
    void received(Peer p, String from, String payload);
  }

  /** After the relay said a peer is not connected there, wait this long before trying it again. */
  static final long RETRY_MS = 5_000;

  private final LinkContext ctx;
  private final PeerEvents events;
  private final PathTimer timer;
  private final Receiver receiver;
  private boolean connected;

  RelayedPath(LinkContext ctx, PeerEvents events, PathTimer timer, Receiver receiver) {
    this.ctx = ctx;
    this.events = events;
    this.timer = timer;
    this.receiver = receiver;
  }

  /** Our relayed-traffic connection to the relay is up. */
  boolean connected() {
    return connected;
  }

  /** A peer joined: through the relay at once, if our connection there is up. */
  void added(Peer p) {
    if (connected) {
      p.selector.up(PathKind.RELAYED, LinkContext.monotonicMillis());
    }
  }

  void send(String to, String payload) {
    ctx.vertx.eventBus().send(RelayedAddresses.SEND, new JsonObject().put("to", to).put("payload", payload));
  }

  void onState(JsonObject b) {
    boolean now = b != null && Boolean.TRUE.equals(b.getBoolean("connected"));
    if (now == connected) {
      return;
    }
    connected = now;
    long t = LinkContext.monotonicMillis();
    for (Peer p : ctx.peers.values()) {
      if (connected && t >= p.relayedRetryAt) {
        p.selector.up(PathKind.RELAYED, t);
      } else if (!connected) {
        p.selector.down(PathKind.RELAYED, t);
      }
      events.reselect(p);
    }
  }

  void onInbound(JsonObject b) {
    String from = b == null ? null : b.getString("from");
    String payload = b == null ? null : b.getString("payload");
    Peer p = ctx.peer(from);
    if (p == null || payload == null || !ctx.authorized.contains(from)) {
      ctx.counters.increment("relayed_unknown_sender");
      return;
    }
    p.relayedRetryAt = 0;
    p.selector.heard(PathKind.RELAYED, LinkContext.monotonicMillis(), -1);
    p.reach.heard();
    events.reselect(p);
    receiver.received(p, from, payload);
  }

  /** The relay could not forward a frame: a peer not connected there is not reachable that way for now. */
  void onUndeliverable(JsonObject b) {
    String to = b == null ? null : b.getString("to");
    String reason = b == null ? "unknown" : b.getString("reason", "unknown");
    ctx.counters.increment("relayed_" + reason);
    Peer p = ctx.peer(to);
    if (p != null && "not_connected".equals(reason)) {
      p.relayedRetryAt = LinkContext.monotonicMillis() + RETRY_MS;
      p.selector.down(PathKind.RELAYED, LinkContext.monotonicMillis());
      events.reselect(p);
      timer.arm();
    }
  }

  /** When the peer's relayed path is to be tried again (Long.MAX_VALUE: nothing to retry). */
  long retryAt(Peer p) {
    return connected && !p.selector.isUp(PathKind.RELAYED) && p.relayedRetryAt > 0 ? p.relayedRetryAt
        : Long.MAX_VALUE;
  }

  /** Tries the peer through the relay again once its wait is over. */
  void retryIfDue(Peer p, long now) {
    if (connected && !p.selector.isUp(PathKind.RELAYED) && now >= p.relayedRetryAt) {
      p.relayedRetryAt = 0;
      p.selector.up(PathKind.RELAYED, now);
    }
  }
}
