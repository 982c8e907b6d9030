package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;

/**
 * The relayed path: while our relayed-traffic connection to the relay is up, a peer is reachable
 * through it once it answered our relayed hello (or sent its own) naming our genesis
 * ({@link RelayedHello}); until the relay says the peer is not connected there (then it is greeted
 * again after {@link #RETRY_MS}). Nothing else from a peer whose hello we have not accepted is
 * delivered: a node of another genesis is refused here as on TCP (issue 12.5).
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
  /** The peer's hello said force_relay: the other paths drop it. */
  private final java.util.function.Consumer<Peer> peerForcesRelay;
  private boolean connected;

  RelayedPath(LinkContext ctx, PeerEvents events, PathTimer timer, Receiver receiver,
      java.util.function.Consumer<Peer> peerForcesRelay) {
    this.ctx = ctx;
    this.events = events;
    this.timer = timer;
    this.receiver = receiver;
    this.peerForcesRelay = peerForcesRelay;
  }

  /** Our relayed-traffic connection to the relay is up. */
  boolean connected() {
    return connected;
  }

  /** A peer joined: greet it through the relay, if our connection there is up. */
  void added(Peer p) {
    if (connected) {
      greet(p, false);
    }
  }

  /** Sends our relayed hello; until it is answered, the peer is greeted again every {@link #RETRY_MS}. */
  private void greet(Peer p, boolean answer) {
    send(p.key, RelayedHello.sign(ctx.identity, ctx.settings.blockchainId(), ctx.genesis, p.key,
        ctx.policy == PathPolicy.FORCE_RELAY, answer, ctx.clock.nowSeconds()).encode());
    if (!p.relayedAccepted && p.refused == null) {
      p.relayedRetryAt = ctx.monotonicMillis() + RETRY_MS;
      timer.arm();
    }
  }

  void send(String to, String payload) {
    ctx.vertx.eventBus().send(ctx.addresses.relayed().send(), new JsonObject().put("to", to).put("payload", payload));
  }

  void onState(JsonObject b) {
    boolean now = b != null && Boolean.TRUE.equals(b.getBoolean("connected"));
    if (now == connected) {
      return;
    }
    connected = now;
    long t = ctx.monotonicMillis();
    for (Peer p : ctx.peers.values()) {
      // A new relay connection: every peer is greeted again before the path carries anything.
      p.relayedAccepted = false;
      p.selector.down(PathKind.RELAYED, t);
      if (connected) {
        greet(p, false);
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
    if (RelayedHello.isHello(payload)) {
      onHello(p, from, payload);
      return;
    }
    if (!p.relayedAccepted) {
      // Not greeted (yet), or of another genesis: nothing of it reaches consensus.
      ctx.counters.increment("relayed_before_hello");
      return;
    }
    p.relayedRetryAt = 0;
    p.selector.heard(PathKind.RELAYED, ctx.monotonicMillis(), -1);
    p.reach.heard();
    events.reselect(p);
    receiver.received(p, from, payload);
  }

  /** A peer's relayed hello: accepted when it names our chain, our genesis and us, and is fresh and signed. */
  private void onHello(Peer p, String from, String payload) {
    RelayedHello h;
    try {
      h = RelayedHello.parse(payload);
    } catch (org.kinmesh.wire.WireException e) {
      ctx.counters.increment("relayed_hello_malformed");
      return;
    }
    String bad = !h.pubkey().equals(from) || !h.to().equals(ctx.self) ? "relayed_hello_wrong_peer"
        : !h.blockchainId().equals(ctx.settings.blockchainId()) ? "relayed_hello_wrong_blockchain"
        : Math.abs(ctx.clock.nowSeconds() - h.ts()) > ctx.settings.freshnessSecs() ? "relayed_hello_stale"
        : !h.signatureValid() ? "relayed_hello_invalid_signature" : null;
    if (bad != null) {
      ctx.counters.increment(bad);
      return;
    }
    long now = ctx.monotonicMillis();
    if (!h.genesis().equals(ctx.genesis)) {
      ctx.refusals.refused(p.key, h.genesis());
      p.relayedAccepted = false;
      p.selector.down(PathKind.RELAYED, now);
      events.reselect(p);
      if (!h.answer()) {
        greet(p, true); // so that it learns the mismatch from its side too
      }
      return;
    }
    ctx.refusals.accepted(p);
    if (h.forceRelay() && !p.peerForceRelay) {
      p.peerForceRelay = true;
      p.selector.peerForcesRelay();
      peerForcesRelay.accept(p);
    }
    p.relayedAccepted = true;
    p.relayedRetryAt = 0;
    p.selector.up(PathKind.RELAYED, now);
    p.selector.heard(PathKind.RELAYED, now, -1);
    p.reach.heard();
    events.reselect(p);
    if (!h.answer()) {
      greet(p, true);
    }
  }

  /** The relay could not forward a frame: a peer not connected there is not reachable that way for now. */
  void onUndeliverable(JsonObject b) {
    String to = b == null ? null : b.getString("to");
    String reason = b == null ? "unknown" : b.getString("reason", "unknown");
    ctx.counters.increment("relayed_" + reason);
    Peer p = ctx.peer(to);
    if (p != null && "not_connected".equals(reason)) {
      p.relayedAccepted = false;
      p.relayedRetryAt = ctx.monotonicMillis() + RETRY_MS;
      p.selector.down(PathKind.RELAYED, ctx.monotonicMillis());
      events.reselect(p);
      timer.arm();
    }
  }

  /** When the peer's relayed path is to be tried again (Long.MAX_VALUE: nothing to retry). */
  long retryAt(Peer p) {
    return connected && !p.relayedAccepted && p.refused == null && p.relayedRetryAt > 0 ? p.relayedRetryAt
        : Long.MAX_VALUE;
  }

  /** Greets the peer through the relay again once its wait is over (a peer of another genesis is not pestered). */
  void retryIfDue(Peer p, long now) {
    if (connected && !p.relayedAccepted && p.refused == null && p.relayedRetryAt > 0 && now >= p.relayedRetryAt) {
      p.relayedRetryAt = 0;
      greet(p, false);
    }
  }
}
