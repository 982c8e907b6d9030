package org.kinmesh.net;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one source from holding a server's connections (docs/security.md): caps the connections
 * each source address holds, and closes a connection that does not deliver a request's headers,
 * then its body, each within the request timeout (a slow trickle defeats a plain idle timeout).
 * Once a connection became a WebSocket the session's own handshake and heartbeat rules take over.
 * One guard per server instance (its handlers run on that instance's event loop); the counts
 * are shared by all instances of a server.
 */
public final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long WARN_EVERY_MS = 60_000;

  private final Vertx vertx;
  private final String server;
  private final ServerLimits limits;
  private final SourceCounts counts;
  private final Predicate<String> uncapped;
  private final Stats stats;
  /** Connections of this instance by remote address; event-loop confined. */
  private final Map<String, Conn> conns = new HashMap<>();

  /** Counters shared by a server's instances. */
  public static final class Stats {
    final AtomicLong refused = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong lastWarn = new AtomicLong();

    /** Connections closed at accept because their source held the cap. */
    public long refused() {
      return refused.get();
    }

    /** Connections closed because a request did not arrive in time. */
    public long timedOut() {
      return timedOut.get();
    }
  }

  private static final class Conn {
    final HttpConnection connection;
    final String ip;
    long timer = -1;
    HttpServerRequest current;
    boolean upgraded;

    Conn(HttpConnection connection, String ip) {
      this.connection = connection;
      this.ip = ip;
    }
  }

  /**
   * @param server name used in logs ("relay", "api", "links")
   * @param uncapped sources the per-address cap does not apply to (trusted proxies)
   */
  public ConnectionGuard(Vertx vertx, String server, ServerLimits limits, SourceCounts counts,
      Predicate<String> uncapped, Stats stats) {
    this.vertx = vertx;
    this.server = server;
    this.limits = limits;
    this.counts = counts;
    this.uncapped = uncapped;
    this.stats = stats;
  }

  /**
   * The idle timeout, in milliseconds, on the server's options. Cleartext HTTP/2 is turned off:
   * with it Vert.x waits for a connection's first bytes to pick a protocol before it reports the
   * connection, so a socket that sends nothing would escape the cap and the deadline.
   */
  public static HttpServerOptions apply(HttpServerOptions options, ServerLimits limits) {
    return options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeoutMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setHttp2ClearTextEnabled(false);
  }

  /** For {@code HttpServer.connectionHandler}. */
  public void connected(HttpConnection c) {
    String ip = WireRules.canonicalIp(c.remoteAddress().hostAddress());
    boolean counted = !uncapped.test(ip);
    if (counted && !counts.tryAcquire(ip)) {
      stats.refused.incrementAndGet();
      long now = System.currentTimeMillis();
      long last = stats.lastWarn.get();
      if (now - last >= WARN_EVERY_MS && stats.lastWarn.compareAndSet(last, now)) {
        LOG.warn("op=connection server={} from={} refused: {} connections open from this address "
            + "(max_connections_per_ip; {} refused so far)", server, ip, limits.maxConnectionsPerIp(),
            stats.refused.get());
      }
      c.close();
      return;
    }
    String key = key(c.remoteAddress());
    Conn conn = new Conn(c, ip);
    conns.put(key, conn);
    c.closeHandler(v -> {
      conns.remove(key);
      cancel(conn);
      if (counted) {
        counts.release(ip);
      }
    });
    arm(conn);
  }

  /** Wraps the server's request handler: the request's body gets a fresh deadline. */
  public Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
    return req -> {
      Conn conn = conns.get(key(req.remoteAddress()));
      if (conn != null) {
        conn.current = req;
        arm(conn);
      }
      next.handle(req);
    };
  }

  /** Wraps the upgrade handler: the upgrade gets a fresh deadline to complete. */
  public Handler<ServerWebSocketHandshake> upgrades(Handler<ServerWebSocketHandshake> next) {
    return hs -> {
      Conn conn = conns.get(key(hs.remoteAddress()));
      if (conn != null) {
        conn.current = null;
        arm(conn);
      }
      next.handle(hs);
    };
  }

  /** Wraps the WebSocket handler: from here on the session's own timers rule the connection. */
  public Handler<ServerWebSocket> websockets(Handler<ServerWebSocket> next) {
    return ws -> {
      Conn conn = conns.get(key(ws.remoteAddress()));
      if (conn != null) {
        conn.upgraded = true;
        cancel(conn);
      }
      next.handle(ws);
    };
  }

  private void arm(Conn conn) {
    cancel(conn);
    conn.timer = vertx.setTimer(limits.requestTimeoutMillis(), id -> deadline(conn));
  }

  private void deadline(Conn conn) {
    conn.timer = -1;
    if (conn.upgraded) {
      return;
    }
    HttpServerRequest req = conn.current;
    if (req == null || !req.isEnded()) {
      // No complete head (or upgrade) yet, or a body still arriving: a slow or stalled client.
      stats.timedOut.incrementAndGet();
      LOG.debug("op=connection server={} from={} closed: no complete request within {} ms", server, conn.ip,
          limits.requestTimeoutMillis());
      conn.connection.close();
      return;
    }
    if (req.response().ended()) {
      // Answered: the next request's head has a fresh window (silence is the idle timeout's).
      conn.current = null;
    }
    arm(conn);
  }

  private void cancel(Conn conn) {
    if (conn.timer >= 0) {
      vertx.cancelTimer(conn.timer);
      conn.timer = -1;
    }
  }

  private static String key(SocketAddress a) {
    return a == null ? "?" : a.hostAddress() + "|" + a.port();
  }
}
