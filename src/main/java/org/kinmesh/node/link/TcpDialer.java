package org.kinmesh.node.link;

import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.net.CircuitBreaker;
import org.kinmesh.util.Jitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dials peers over TCP: one dial per peer at a time, at most {@link #MAX_DIALS_IN_FLIGHT} in all,
 * retried with backoff and a per-peer circuit breaker (docs/links.md §4). What happens once the
 * WebSocket is open is the session's and {@link TcpLinks}' business.
 */
final class TcpDialer {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  /** ARCHITECTURE.md limits: at most 8 outbound network operations in flight. */
  static final int MAX_DIALS_IN_FLIGHT = 8;
  /** Counter: dials started at once because gossip told of a new endpoint. */
  static final String DIALS_ON_NEWS = "dials_on_endpoint_news";

  private final LinkContext ctx;
  private final PeerEvents events;
  private final PeerEndpoints endpoints;
  private final TcpLinks links;
  private WebSocketClient client;
  private int dialsInFlight;

  TcpDialer(LinkContext ctx, PeerEvents events, PeerEndpoints endpoints, TcpLinks links) {
    this.ctx = ctx;
    this.events = events;
    this.endpoints = endpoints;
    this.links = links;
  }

  void start(int hardCap) {
    client = ctx.vertx.createWebSocketClient(new WebSocketClientOptions()
        .setConnectTimeout((int) ctx.settings.connectTimeoutMillis())
        .setMaxFrameSize(hardCap).setMaxMessageSize(hardCap));
  }

  Future<Void> close() {
    return client.close();
  }

  void dial(Peer p) {
    dial(p, false);
  }

  /**
   * Gossip told of an endpoint of the peer that we had not heard of: dial now instead of at the
   * back-off timer, and past an open circuit (its failures were at the endpoints known before).
   */
  void dialOnNews(Peer p) {
    if (ctx.stopping || p.session() != null || p.dialing || ctx.peers.get(p.key) != p) {
      return;
    }
    cancel(p);
    p.skipTable = false; // the table has the news
    ctx.counters.increment(DIALS_ON_NEWS);
    dial(p, true);
  }

  private void dial(Peer p, boolean news) {
    p.timer = -1;
    if (ctx.stopping || p.session() != null || p.dialing || ctx.peers.get(p.key) != p
        || ctx.policy == PathPolicy.FORCE_RELAY || p.peerForceRelay) {
      // force_relay, ours or the peer's: no direct link either way (issue 12.7).
      return;
    }
    if (!news && !p.breaker.allow(ctx.monotonicMillis())) {
      events.state(p, PeerState.UNREACHABLE);
      schedule(p, Math.max(1, p.breaker.openUntilMillis() - ctx.monotonicMillis()));
      return;
    }
    if (dialsInFlight >= MAX_DIALS_IN_FLIGHT) {
      // Not the peer's fault: wait for a slot without touching its circuit.
      schedule(p, Jitter.around(ctx.settings.retryBackoff().delayMillis(1), 0.5));
      return;
    }
    p.dialing = true;
    dialsInFlight++;
    events.state(p, PeerState.CONNECTING);
    endpoints.next(p).compose(ep -> connect(p, ep)).onComplete(ar -> {
      p.dialing = false;
      dialsInFlight--;
      if (ar.succeeded()) {
        endpoints.report(p, true);
      }
      if (ctx.stopping || ctx.peers.get(p.key) != p || p.session() != null) {
        return;
      }
      if (ar.failed()) {
        failed(p, ar.cause());
      }
    });
  }

  private Future<LinkSession> connect(Peer p, String[] ep) {
    String challenge = Hello.newChallenge();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(ep[0]).setPort(Integer.parseInt(ep[1]))
        .setURI(LinkSettings.PATH).addHeader(LinkSettings.CHALLENGE_HEADER, challenge)
        .setTimeout(ctx.settings.connectTimeoutMillis());
    // The session's handlers go on before the upgrade: the acceptor's hello can arrive in the
    // same read as its 101 answer, before the connect future completes, and must not be missed.
    ClientWebSocket ws = client.webSocket();
    LinkSession s = links.dialed(ws, p, challenge);
    return ws.connect(options).compose(v -> {
      if (ctx.stopping || ctx.peers.get(p.key) != p) {
        s.close((short) 1001, "going_away");
        return Future.failedFuture("stopped or deauthorized while dialing");
      }
      return s.opened();
    }, err -> {
      links.abandoned(s);
      return Future.failedFuture(err);
    });
  }

  private void failed(Peer p, Throwable err) {
    if (err instanceof LinkSession.LinkClosed closed && Rejection.DUPLICATE.code().equals(closed.reason)) {
      return; // the other direction's link won; nothing failed
    }
    endpoints.failed(p);
    p.lastError = err.getMessage();
    p.breaker.failure(ctx.monotonicMillis());
    int failures = p.breaker.consecutiveFailures();
    if (p.breaker.state() == CircuitBreaker.State.OPEN) {
      if (p.state != PeerState.UNREACHABLE) {
        LOG.warn("{} op=link.dial peer={} unreachable after {} consecutive failures; last: {}; still trying (and"
            + " the relay carries its traffic if configured): check that the peer runs and its port is open", ctx.log,
            KeyIds.shortId(p.key), failures, err.getMessage());
      }
      events.state(p, PeerState.UNREACHABLE);
      schedule(p, Math.max(1, p.breaker.openUntilMillis() - ctx.monotonicMillis()));
    } else {
      LOG.debug("{} op=link.dial peer={} failure={} error={}", ctx.log, KeyIds.shortId(p.key), failures,
          err.getMessage());
      events.state(p, PeerState.BACKOFF);
      schedule(p, Jitter.around(ctx.settings.retryBackoff().delayMillis(failures), 0.1));
    }
  }

  /** A link to the peer is up: its circuit is closed and no dial is pending. */
  void connected(Peer p) {
    p.breaker.success();
    p.lastError = null;
    cancel(p);
  }

  /** The peer's link closed after being up: not a failure of its circuit, so dial again after the first step. */
  void redialSoon(Peer p) {
    schedule(p, Jitter.around(ctx.settings.retryBackoff().delayMillis(1), 0.1));
  }

  private void schedule(Peer p, long delayMillis) {
    cancel(p);
    p.timer = ctx.vertx.setTimer(delayMillis, id -> dial(p));
  }

  void cancel(Peer p) {
    if (p.timer >= 0) {
      ctx.vertx.cancelTimer(p.timer);
      p.timer = -1;
    }
  }
}
