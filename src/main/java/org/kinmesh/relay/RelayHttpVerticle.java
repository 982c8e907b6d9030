package org.kinmesh.relay;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.kinmesh.net.BoundedBody;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.relay.LookupSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's HTTP face (PROTOCOL.md §2): routes, the body-size and per-IP limits, and the
 * mapping of failures to {"error", "message"} answers. One instance per event loop; the rules
 * live in {@link RelayService}.
 */
public final class RelayHttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RelayHttpVerticle.class);
  private static final String JSON = "application/json";
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADERS = 16 * 1024;

  private final RelayConfig config;
  private final RelayService service;
  private final RateLimiter ipLimiter;
  private final RelayMetrics metrics;
  private final HealthCheck health;
  private final int port;
  private final org.kinmesh.relay.forward.ForwardEndpoint forward;
  private final org.kinmesh.net.SourceCounts connections;
  private final org.kinmesh.net.ConnectionGuard.Stats connectionStats;
  private HttpServer server;

  /** Answers whether the relay's database is reachable. */
  public interface HealthCheck {
    Future<Boolean> healthy();

    /** Whether writes go through; a failing one makes /health 503 with its reason. */
    default org.kinmesh.store.WriteHealth.Status writes() {
      return new org.kinmesh.store.WriteHealth.Status(true, null, null, 0, 0, 0);
    }
  }

  public RelayHttpVerticle(RelayConfig config, RelayService service, RateLimiter ipLimiter, RelayMetrics metrics,
      HealthCheck health, int port, org.kinmesh.relay.forward.ForwardEndpoint forward,
      org.kinmesh.net.SourceCounts connections, org.kinmesh.net.ConnectionGuard.Stats connectionStats) {
    this.config = config;
    this.service = service;
    this.ipLimiter = ipLimiter;
    this.metrics = metrics;
    this.health = health;
    this.port = port;
    this.forward = forward;
    this.connections = connections;
    this.connectionStats = connectionStats;
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // Every answer carries the relay's time, so a node refused as stale_timestamp can tell that its clock is off.
    router.route().handler(ctx -> {
      ctx.response().putHeader("Date", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
          java.time.Instant.ofEpochMilli(service.nowMillis()).atZone(java.time.ZoneOffset.UTC)));
      ctx.next();
    });
    BoundedBody small = new BoundedBody(WireRules.MAX_MESSAGE_BYTES, ctx -> error(ctx, endpointOf(ctx),
        new WireException(ErrorCode.TOO_LARGE, "body over " + WireRules.MAX_MESSAGE_BYTES + " bytes")));
    // Followed blocks are as large as the chain allows a block to be.
    BoundedBody follow = new BoundedBody(ChainFollow.MAX_BODY_BYTES, ctx -> error(ctx, "follow",
        new WireException(ErrorCode.TOO_LARGE, "body over " + ChainFollow.MAX_BODY_BYTES + " bytes")));
    router.route().handler(ctx -> (ctx.normalizedPath().startsWith("/follow/") ? follow : small).handle(ctx));
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
        .end(metrics.scrape()));
    router.route("/register").handler(this::limitByIp);
    router.route("/lookup/*").handler(this::limitByIp);
    router.route("/admin/*").handler(this::limitByIp);
    router.route("/follow/*").handler(this::limitByIp);
    router.post("/follow/:blockchain_id").handler(ctx -> answer(ctx, "follow",
        service.follow(ctx.pathParam("blockchain_id"), body(ctx)).map(json -> new Answer(200, json))));
    router.get("/follow/:blockchain_id").handler(ctx -> answer(ctx, "follow",
        service.followState(ctx.pathParam("blockchain_id")).map(json -> new Answer(200, json))));
    router.post("/register").handler(ctx -> answer(ctx, "register",
        service.register(body(ctx), source(ctx)).map(json -> new Answer(200, json))));
    router.get("/lookup/:blockchain_id/:public_key").handler(ctx -> answer(ctx, "lookup",
        service.lookup(ctx.pathParam("blockchain_id"), ctx.pathParam("public_key"), lookupAuth(ctx))
            .map(json -> new Answer(200, json))));
    router.post("/admin/register_blockchain").handler(ctx -> answer(ctx, "register_blockchain",
        service.registerBlockchain(body(ctx)).map(r -> new Answer(r.created() ? 201 : 200, r.body()))));
    router.post("/admin/authorize_node").handler(ctx -> answer(ctx, "authorize_node",
        service.authorizeNode(body(ctx)).map(json -> new Answer(200, json))));
    router.route().last().handler(ctx -> error(ctx, "unknown", new WireException(ErrorCode.NOT_FOUND, "no such path")));
    router.errorHandler(405, ctx -> error(ctx, "unknown", new WireException(ErrorCode.NOT_FOUND, "no such path")));
    router.errorHandler(404, ctx -> error(ctx, "unknown", new WireException(ErrorCode.NOT_FOUND, "no such path")));
    router.errorHandler(413, ctx -> error(ctx, "any",
        new WireException(ErrorCode.TOO_LARGE, "body over " + WireRules.MAX_MESSAGE_BYTES + " bytes")));
    router.errorHandler(400, ctx -> error(ctx, "any", WireException.malformed("bad request")));
    router.errorHandler(500, ctx -> {
      LOG.error("op=http path={} unexpected failure", ctx.normalizedPath(), ctx.failure());
      error(ctx, "any", new WireException(ErrorCode.INTERNAL, "internal error"));
    });

    HttpServerOptions options = org.kinmesh.net.ConnectionGuard.apply(new HttpServerOptions(), config.limits())
        .setHost(config.listen().host())
        .setPort(port)
        .setMaxFormAttributeSize(WireRules.MAX_MESSAGE_BYTES)
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_HEADERS)
        // Relayed traffic: an oversized frame up to twice the limit is read and refused with a notice.
        .setMaxWebSocketFrameSize(org.kinmesh.relay.forward.RelayFrame.HARD_CAP_BYTES)
        .setMaxWebSocketMessageSize(org.kinmesh.relay.forward.RelayFrame.HARD_CAP_BYTES);
    if (config.tls() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.tls().certPath().toString()).setKeyPath(config.tls().keyPath().toString()));
    }
    // A trusted proxy carries many clients on one address; it enforces its own limits.
    var guard = new org.kinmesh.net.ConnectionGuard(vertx, "relay", config.limits(), connections,
        ip -> !config.trustedProxies().isEmpty() && config.trustedProxies().trusts(ip), connectionStats);
    return vertx.createHttpServer(options)
        .connectionHandler(guard::connected)
        .invalidRequestHandler(org.kinmesh.net.HttpErrors.invalidRequests("relay", MAX_INITIAL_LINE, MAX_HEADERS))
        .requestHandler(guard.requests(router))
        .webSocketHandshakeHandler(guard.upgrades(forward::handshake))
        .webSocketHandler(guard.websockets(ws -> forward.accepted(vertx, ws)))
        .listen()
        .recover(e -> io.vertx.core.Future.failedFuture(org.kinmesh.net.BindFailure.describe(e, "TCP",
            config.listen().host(), port, "listen_addr")))
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    // Graceful: stop accepting, let in-flight requests finish for up to the grace period.
    // Relayed-traffic connections never finish on their own: close them now (1001 going_away).
    return forward.hub().goingAway().transform(ar -> server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownGraceSecs(), TimeUnit.SECONDS));
  }

  private record Answer(int status, JsonObject body) {}

  private void health(RoutingContext ctx) {
    long start = System.nanoTime();
    health.healthy().onComplete(ar -> {
      org.kinmesh.store.WriteHealth.Status writes = health.writes();
      boolean ok = ar.succeeded() && ar.result() && writes.ok();
      JsonObject body = new JsonObject().put("status", ok ? "ok" : "unavailable");
      if (!writes.ok()) {
        body.put("reason", writes.reason()).put("message", writes.message());
      }
      ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", JSON).end(body.encode());
      metrics.request("health", ok ? "ok" : "unavailable", System.nanoTime() - start);
    });
  }

  private void limitByIp(RoutingContext ctx) {
    RateLimiter.Decision d = ipLimiter.tryAcquire(source(ctx).ip());
    if (d.allowed()) {
      ctx.next();
    } else {
      error(ctx, endpointOf(ctx), new WireException(ErrorCode.RATE_LIMITED, "too many requests from this address",
          d.retryAfterSecs()));
    }
  }

  private void answer(RoutingContext ctx, String endpoint, Future<Answer> result) {
    long start = System.nanoTime();
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(ar.result().status()).putHeader("content-type", JSON)
            .end(ar.result().body().encode());
        metrics.request(endpoint, "ok", System.nanoTime() - start);
      } else if (ar.cause() instanceof WireException e) {
        error(ctx, endpoint, e);
      } else {
        LOG.error("op={} unexpected failure", endpoint, ar.cause());
        error(ctx, endpoint, new WireException(ErrorCode.INTERNAL, "internal error"));
      }
    });
  }

  private void error(RoutingContext ctx, String endpoint, WireException e) {
    if (ctx.response().ended()) {
      return;
    }
    ErrorCode code = e.code();
    var response = ctx.response().setStatusCode(code.httpStatus()).putHeader("content-type", JSON);
    if (code == ErrorCode.RATE_LIMITED) {
      response.putHeader("Retry-After", Long.toString(Math.max(1, e.retryAfterSecs())));
    }
    // A refused body is not read on: the connection closes once the answer is out.
    org.kinmesh.net.HttpErrors.endRefusal(ctx.request(), response,
        org.kinmesh.net.HttpErrors.error(code.wireCode(), e.getMessage()));
    metrics.request(endpoint, code.wireCode(), 0);
    if (code == ErrorCode.INTERNAL || code == ErrorCode.RATE_LIMITED) {
      LOG.warn("op={} from={} error={} message=\"{}\"", endpoint, source(ctx).ip(), code.wireCode(), e.getMessage());
    } else {
      LOG.debug("op={} from={} error={} message=\"{}\"", endpoint, source(ctx).ip(), code.wireCode(), e.getMessage());
    }
  }

  private static String endpointOf(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.startsWith("/lookup/")) {
      return "lookup";
    }
    if (path.startsWith("/admin/")) {
      return path.substring("/admin/".length());
    }
    if (path.startsWith("/follow/")) {
      return "follow";
    }
    return path.startsWith("/register") ? "register" : "unknown";
  }

  /**
   * The client's address: the TCP peer, or, behind a trusted proxy, the X-Forwarded-For client
   * with the port the proxy reports in X-Kinmesh-Client-Port (0 when it reports none: the
   * relay cannot know it, and the proxy's own port would be a lie).
   */
  private RelayService.Source source(RoutingContext ctx) {
    String peer = WireRules.canonicalIp(ctx.request().remoteAddress().hostAddress());
    int peerPort = ctx.request().remoteAddress().port();
    if (config.trustedProxies().isEmpty() || !config.trustedProxies().trusts(peer)) {
      return new RelayService.Source(peer, peerPort);
    }
    String client = WireRules.canonicalIp(config.trustedProxies().clientAddress(peer,
        ctx.request().getHeader("X-Forwarded-For")));
    if (client.equals(peer)) {
      return new RelayService.Source(peer, peerPort);
    }
    return new RelayService.Source(client, parsePort(ctx.request().getHeader(CLIENT_PORT_HEADER)));
  }

  static final String CLIENT_PORT_HEADER = "X-Kinmesh-Client-Port";

  private static int parsePort(String text) {
    if (text == null || text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      return 0;
    }
    int p = Integer.parseInt(text);
    return p <= 65_535 ? p : 0;
  }

  private static byte[] body(RoutingContext ctx) {
    return BoundedBody.bytes(ctx);
  }

  private static RelayService.LookupAuth lookupAuth(RoutingContext ctx) {
    String authz = ctx.request().getHeader("Authorization");
    String token = null;
    if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = authz.substring(7).trim();
    }
    return new RelayService.LookupAuth(token, ctx.request().getHeader(LookupSignature.HEADER_REQUESTER),
        ctx.request().getHeader(LookupSignature.HEADER_TIMESTAMP),
        ctx.request().getHeader(LookupSignature.HEADER_SIGNATURE));
  }
}
