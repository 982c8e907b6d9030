package org.kinmesh.relay.forward;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import org.kinmesh.relay.RateLimiter;
import org.kinmesh.relay.TrustedProxies;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay HTTP server's WebSocket door: admits upgrades to {@link RelayFrame#PATH} (wrong
 * path 404; per-IP rate limit 429, as for every signed request, since each handshake costs a
 * signature check; connection cap 503) and hands accepted sockets to the hub.
 */
public final class ForwardEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardEndpoint.class);

  private final ForwardHub hub;
  private final RateLimiter ipLimiter;
  private final TrustedProxies proxies;

  public ForwardEndpoint(ForwardHub hub, RateLimiter ipLimiter, TrustedProxies proxies) {
    this.hub = hub;
    this.ipLimiter = ipLimiter;
    this.proxies = proxies;
  }

  public ForwardHub hub() {
    return hub;
  }

  public void handshake(ServerWebSocketHandshake hs) {
    if (!RelayFrame.PATH.equals(hs.path())) {
      hs.reject(404);
      return;
    }
    String ip = clientIp(hs);
    if (!ipLimiter.tryAcquire(ip).allowed()) {
      hub.refusedUpgrade("rate_limited");
      LOG.warn("op=relayed.connect from={} error=rate_limited", ip);
      hs.reject(429);
      return;
    }
    if (!hub.admits()) {
      hub.refusedUpgrade(CloseReason.TOO_MANY_CONNECTIONS.code());
      LOG.warn("op=relayed.connect from={} error=too_many_connections", ip);
      hs.reject(503);
      return;
    }
    hs.accept();
  }

  /** Runs on the HTTP verticle's event loop that accepted the upgrade. */
  public void accepted(Vertx vertx, ServerWebSocket ws) {
    hub.attach(vertx, ws);
  }

  /** The TCP peer, or behind a trusted proxy the X-Forwarded-For client (docs/relay.md, trusted proxies). */
  private String clientIp(ServerWebSocketHandshake hs) {
    String peer = WireRules.canonicalIp(hs.remoteAddress().hostAddress());
    if (proxies.isEmpty() || !proxies.trusts(peer)) {
      return peer;
    }
    return WireRules.canonicalIp(proxies.clientAddress(peer, hs.headers().get("X-Forwarded-For")));
  }
}
