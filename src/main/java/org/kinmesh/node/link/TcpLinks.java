package org.kinmesh.node.link;

import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.KeyIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "direct_tcp" path: one WebSocket per peer. Accepts links, has {@link TcpDialer} dial them,
 * and keeps one per peer (the one the lower key dialed wins when both sides dialed at once);
 * a link that closes is dialed again. docs/links.md §1–§4.
 */
final class TcpLinks implements LinkSession.Host {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  private static final int MAX_PENDING_HANDSHAKES = 64;
  /** Counter of open links closed because the peer went silent. */
  static final String SILENT_CLOSED = "silent_closed";

  /** What arrived from a peer over its link (a link control message or a payload). */
  interface Receiver {
    /** {@code p} is null when the sender is no longer one of our peers. */
    void received(Peer p, String from, String payload);
  }

  private final LinkContext ctx;
  private final PeerEvents events;
  private final Receiver receiver;
  private final PathTimer timer;
  private final TcpDialer dialer;
  /** Every WebSocket from its upgrade to its close, handshaking or not. */
  private final Set<LinkSession> sessions = new HashSet<>();
  private HttpServer server;
  final org.kinmesh.net.ConnectionGuard.Stats connectionStats = new org.kinmesh.net.ConnectionGuard.Stats();

  TcpLinks(LinkContext ctx, PeerEvents events, PathTimer timer, PeerEndpoints endpoints, Receiver receiver) {
    this.ctx = ctx;
    this.events = events;
    this.timer = timer;
    this.receiver = receiver;
    this.dialer = new TcpDialer(ctx, events, endpoints, this);
  }

  /** Starts listening; completes with the bound port. */
  Future<Integer> start() {
    // Netty's own cap sits above ours, so an oversized frame reaches our check and is counted;
    // anything beyond twice the limit is cut off by Netty before it is buffered.
    int hardCap = ctx.settings.maxFrameBytes() * 2;
    dialer.start(hardCap);
    // The port listens on every interface: a stalled upgrade is cut at the request timeout and one
    // address holds at most max_connections_per_ip sockets (docs/security.md).
    var limits = ctx.settings.serverLimits();
    var guard = new org.kinmesh.net.ConnectionGuard(ctx.vertx, "links", limits,
        new org.kinmesh.net.SourceCounts(limits.maxConnectionsPerIp()), ip -> false, connectionStats);
    server = ctx.vertx.createHttpServer(org.kinmesh.net.ConnectionGuard.apply(new HttpServerOptions(), limits)
            .setHost(ctx.settings.listenHost())
            .setPort(ctx.settings.port()).setMaxWebSocketFrameSize(hardCap).setMaxWebSocketMessageSize(hardCap))
        .connectionHandler(guard::connected)
        .invalidRequestHandler(org.kinmesh.net.HttpErrors.invalidRequests("links", 4096, 8192))
        .webSocketHandshakeHandler(guard.upgrades(this::onHandshake))
        .webSocketHandler(guard.websockets(this::onAccepted))
        .requestHandler(guard.requests(req -> org.kinmesh.net.HttpErrors.endRefusal(req,
            req.response().setStatusCode(404).putHeader("content-type", org.kinmesh.net.HttpErrors.JSON),
            org.kinmesh.net.HttpErrors.error("not_found", "this port serves only " + LinkSettings.PATH))));
    return server.listen().map(HttpServer::actualPort);
  }

  /** Closes every link (1001 going_away) and the server and client. */
  Future<?> stop() {
    for (Peer p : ctx.peers.values()) {
      dialer.cancel(p);
    }
    for (LinkSession s : new ArrayList<>(sessions)) {
      s.close((short) 1001, "going_away");
    }
    return Future.join(server.close(), dialer.close());
  }

  /** Gossip told of a new endpoint of the peer: dial now unless a link is up or a dial runs. */
  void dialOnNews(Peer p) {
    dialer.dialOnNews(p);
  }

  void dial(Peer p) {
    dialer.dial(p);
  }

  /**
   * The peer left the authorized set: no more dials, and its link closes (1008 deauthorized;
   * links still in their handshake close in {@link #closeUnauthorized}).
   */
  void deauthorize(Peer p) {
    dialer.cancel(p);
    boolean linked = p.tcp.linked();
    LinkSession s = p.tcp.clear();
    if (!linked) {
      return;
    }
    ctx.counters.increment(Rejection.DEAUTHORIZED);
    LOG.info("{} op=link.deauthorize peer={} closing its link", ctx.log, KeyIds.shortId(p.key));
    if (s != null) {
      s.close((short) 1008, Rejection.DEAUTHORIZED.code());
    }
  }

  /** The peer takes no direct link (its relayed hello said force_relay): no dials, and no link kept. */
  void peerForcesRelay(Peer p) {
    dialer.cancel(p);
    LinkSession s = p.tcp.clear();
    if (s != null) {
      s.close((short) 1000, Rejection.FORCE_RELAY.code());
    }
    p.selector.down(PathKind.DIRECT_TCP, ctx.monotonicMillis());
  }

  /** Closes every other connection (handshaking ones too) whose key is not in the set. */
  void closeUnauthorized(Set<String> authorized) {
    for (LinkSession s : new ArrayList<>(sessions)) {
      if (s.peerKey() != null && !authorized.contains(s.peerKey())) {
        s.close((short) 1008, Rejection.DEAUTHORIZED.code());
      }
    }
  }

  // ---- accepting ----

  private void onHandshake(ServerWebSocketHandshake hs) {
    String challenge = hs.headers().get(LinkSettings.CHALLENGE_HEADER);
    if (!LinkSettings.PATH.equals(hs.path()) || !Hex.isLowerHex(challenge, 32)) {
      ctx.counters.increment(Rejection.MALFORMED);
      LOG.info("{} op=link.accept from={} reason=malformed (path or challenge header)", ctx.log, hs.remoteAddress());
      hs.reject(400);
      return;
    }
    if (ctx.policy == PathPolicy.FORCE_RELAY) {
      // Our policy: no direct link, either way (issue 12.7). Refused before any hello, so nothing of ours is sent.
      ctx.counters.increment(Rejection.FORCE_RELAY);
      LOG.debug("{} op=link.accept from={} reason=force_relay", ctx.log, hs.remoteAddress());
      hs.reject(403);
      return;
    }
    if (ctx.stopping || sessions.size() >= MAX_PENDING_HANDSHAKES + ctx.peers.size()) {
      ctx.counters.increment("too_many_connections");
      hs.reject(503);
      return;
    }
    hs.accept();
  }

  private void onAccepted(ServerWebSocket ws) {
    String challenge = ws.headers().get(LinkSettings.CHALLENGE_HEADER);
    sessions.add(LinkSession.accepted(ctx.vertx, this, ws, challenge, ctx.settings, ctx.clock));
  }

  // ---- dialing (the dialer's sessions) ----

  /** A session for a WebSocket the dialer is about to upgrade. */
  LinkSession dialed(ClientWebSocket ws, Peer p, String challenge) {
    LinkSession s = LinkSession.dialed(ctx.vertx, this, ws, p.key, challenge, ctx.settings, ctx.clock);
    sessions.add(s);
    p.tcp.dialing(s);
    return s;
  }

  /** The upgrade of a dialed session failed. */
  void abandoned(LinkSession s) {
    s.abandon();
    gone(s, false);
  }

  // ---- LinkSession.Host ----

  @Override
  public String self() {
    return ctx.self;
  }

  @Override
  public HelloCheck helloCheck(LinkSession s, String expectedKey, String expectedPeerField) {
    return new HelloCheck(ctx.settings.blockchainId(), ctx.genesis, ctx.self, expectedKey == null ? Hello.DIAL : Hello.ACCEPT,
        expectedKey, expectedPeerField, s.myChallenge(), ctx.clock.nowSeconds(), ctx.settings.freshnessSecs(),
        ctx.authorized);
  }

  @Override
  public Hello hello(String role, String peerField, String nonce, String challenge) {
    return Hello.sign(ctx.identity, role, ctx.settings.blockchainId(), ctx.genesis, peerField, ctx.clock.nowSeconds(), nonce,
        challenge);
  }

  @Override
  public String genesisMismatch(LinkSession s, String theirGenesis) {
    return ctx.refusals.refused(s.peerKey(), theirGenesis);
  }

  /** A stale hello counts only when an authorized peer signed it: a stranger must not move our estimate. */
  @Override
  public void heardClock(Hello h, boolean checked) {
    if (!checked && !(ctx.authorized.contains(h.pubkey()) && !ctx.self.equals(h.pubkey()) && h.signatureValid())) {
      return;
    }
    ctx.vertx.eventBus().publish(ctx.addresses.clock().sample(), new io.vertx.core.json.JsonObject()
        .put("source", h.pubkey()).put("offset_ms", ctx.clock.nowMillis() - h.timestamp() * 1000));
  }

  /** One link per peer: a new one replaces the current only when the lower key dialed it. */
  @Override
  public Optional<Rejection> adopt(LinkSession s) {
    Peer p = ctx.peer(s.peerKey());
    if (p == null || ctx.stopping) {
      // Authorized but over the peer limit, or we are stopping.
      return Optional.of(Rejection.UNAUTHORIZED);
    }
    switch (p.tcp.adopt(s)) {
      case DUPLICATE -> {
        return Optional.of(Rejection.DUPLICATE);
      }
      case REPLACED -> p.tcp.retired().retire();
      case HANDED_OVER -> {
        List<String> held = p.tcp.takeHeld();
        // What waited for this link goes out once it is open (right after this adoption).
        s.opened().onSuccess(open -> held.forEach(m -> {
          if (!open.send(m)) {
            ctx.counters.increment("send_refused");
          }
        }));
        linkUp(p, s);
      }
      case FIRST -> linkUp(p, s);
    }
    return Optional.empty();
  }

  /** The peer's direct_tcp path is (still) up on this link. */
  private void linkUp(Peer p, LinkSession s) {
    ctx.refusals.accepted(p);
    dialer.connected(p);
    p.state = PeerState.CONNECTED;
    LOG.info("{} op=link.up peer={} direction={} remote={}", ctx.log, KeyIds.shortId(p.key),
        s.dialedBySelf() ? "out" : "in", s.remoteAddress());
    p.selector.up(PathKind.DIRECT_TCP, ctx.monotonicMillis());
    p.reach.heard();
    events.reselect(p);
    // The path's silence deadline: the heartbeats' pongs keep moving it.
    timer.arm();
  }

  @Override
  public boolean authorized(String key) {
    return ctx.authorized.contains(key);
  }

  @Override
  public void inbound(LinkSession s, String payload) {
    Peer p = ctx.peer(s.peerKey());
    if (p != null && p.session() == s) {
      p.selector.heard(PathKind.DIRECT_TCP, ctx.monotonicMillis(), -1);
      p.reach.heard();
    }
    receiver.received(p, s.peerKey(), payload);
  }

  @Override
  public void heard(LinkSession s, long rttMillis) {
    Peer p = ctx.peer(s.peerKey());
    if (p == null || p.session() != s) {
      return;
    }
    p.selector.heard(PathKind.DIRECT_TCP, ctx.monotonicMillis(), rttMillis);
    if (!p.reach.heardSinceDown()) {
      // Back after a silence: say up now rather than at the next send.
      p.reach.heard();
      events.reselect(p);
    }
  }

  @Override
  public void silent(LinkSession s, long silentMillis) {
    ctx.counters.increment(SILENT_CLOSED);
    LOG.info("{} op=link.silent peer={} direction={} heard nothing for {} ms; closing the link", ctx.log,
        KeyIds.shortId(s.peerKey()), s.dialedBySelf() ? "out" : "in", silentMillis);
  }

  @Override
  public void closed(LinkSession s) {
    gone(s, s.closedAsDuplicate());
  }

  /** A session ended (closed, or its upgrade failed); {@code keptAnother}: the peer closed it as a duplicate. */
  private void gone(LinkSession s, boolean keptAnother) {
    sessions.remove(s);
    Peer p = ctx.peer(s.peerKey());
    if (p == null) {
      return;
    }
    boolean wasCurrent = p.session() == s;
    TcpLinkChoice.Closed what = p.tcp.closed(s, keptAnother);
    if (wasCurrent) {
      p.lastSeenSecs = s.lastSeenSecs();
    }
    switch (what) {
      case IGNORED -> { }
      case HANDOVER -> LOG.info("{} op=link.handover peer={} it kept the link we dialed; waiting for its ready",
          ctx.log, KeyIds.shortId(p.key));
      case DOWN -> {
        p.selector.down(PathKind.DIRECT_TCP, ctx.monotonicMillis());
        events.reselect(p);
        LOG.info("{} op=link.down peer={}", ctx.log, KeyIds.shortId(p.key));
        if (ctx.stopping) {
          return;
        }
        // Not a failure of the peer's circuit: reconnect after the first backoff step.
        p.state = PeerState.BACKOFF;
        events.reselect(p);
        dialer.redialSoon(p);
      }
      case HANDOVER_FAILED -> {
        for (int i = p.tcp.takeHeld().size(); i > 0; i--) {
          ctx.counters.increment("send_not_connected");
        }
        p.selector.down(PathKind.DIRECT_TCP, ctx.monotonicMillis());
        events.reselect(p);
        LOG.info("{} op=link.down peer={} the link it kept did not open", ctx.log, KeyIds.shortId(p.key));
        // That was our dial: its failure is counted and retried by the dialer, unless it was not.
        if (!ctx.stopping && !p.dialing && p.timer < 0) {
          dialer.redialSoon(p);
        }
      }
    }
  }

  @Override
  public void rejected(LinkSession s, Rejection r, String detail) {
    ctx.counters.increment(r);
    if (r == Rejection.RATE_LIMITED || r == Rejection.TOO_LARGE && s.isOpen()) {
      LOG.debug("{} op=link.drop peer={} reason={} {}", ctx.log, KeyIds.shortId(s.peerKey()), r.code(), detail);
    } else {
      LOG.info("{} op=link.reject peer={} direction={} reason={} {}", ctx.log, KeyIds.shortId(s.peerKey()),
          s.dialedBySelf() ? "out" : "in", r.code(), detail);
    }
  }
}
