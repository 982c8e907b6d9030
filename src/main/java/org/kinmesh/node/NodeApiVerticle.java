package org.kinmesh.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kinmesh.bus.LocalCodec;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Transaction;
import org.kinmesh.config.HostPort;
import org.kinmesh.net.BoundedBody;
import org.kinmesh.node.api.AdminRoutes;
import org.kinmesh.node.api.EventBusAdminBackend;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API (docs/node-api.md): health, status, peers, transactions, blocks and the
 * admin routes. Holds no state of its own: every answer comes from the verticle that owns it,
 * over the event bus.
 */
public final class NodeApiVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public NodeApiVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(NodeApiVerticle.class);
  private static final String JSON = "application/json";
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADERS = 8192;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  private final HostPort listen;
  private final Path portFile;
  private final String pubkey;
  private final boolean adminAllowRemote;
  private final org.kinmesh.net.ServerLimits limits;
  private final org.kinmesh.node.api.HostCheck hosts;
  private final org.kinmesh.net.ConnectionGuard.Stats connectionStats = new org.kinmesh.net.ConnectionGuard.Stats();
  private HttpServer server;
  private org.kinmesh.node.api.DashboardRoutes dashboard;
  private final NodeMetrics metrics = new NodeMetrics();

  public NodeApiVerticle(HostPort listen, Path portFile, String pubkey, boolean adminAllowRemote) {
    this(listen, portFile, pubkey, adminAllowRemote, NodeConfig.DEFAULT_SERVER_LIMITS, java.util.List.of());
  }

  /** {@code allowedHosts}: Host names served besides localhost and IP literals (api_allowed_hosts). */
  public NodeApiVerticle(HostPort listen, Path portFile, String pubkey, boolean adminAllowRemote,
      org.kinmesh.net.ServerLimits limits, java.util.List<String> allowedHosts) {
    this.listen = listen;
    this.portFile = portFile;
    this.pubkey = pubkey;
    this.adminAllowRemote = adminAllowRemote;
    this.limits = limits;
    this.hosts = new org.kinmesh.node.api.HostCheck(allowedHosts);
  }

  /** Connections refused by the per-address cap or closed for want of a request. */
  public org.kinmesh.net.ConnectionGuard.Stats connectionStats() {
    return connectionStats;
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, Transaction.class);
    Router router = Router.router(vertx);
    // DNS rebinding: a page rebound to this address still names itself in Host (docs/security.md).
    // No CORS headers are ever set, so no other origin may read an answer.
    router.route().handler(ctx -> {
      if (hosts.allows(ctx.request().getHeader("Host"))) {
        ctx.next();
      } else {
        error(ctx, 403, "forbidden", "Host '" + ctx.request().getHeader("Host") + "' is not a name of this node; "
            + "add it to api_allowed_hosts to serve it");
      }
    });
    router.get("/health").handler(this::health);
    router.get("/status").handler(this::status);
    router.get("/peers").handler(this::peers);
    router.get("/metrics").handler(this::metrics);
    router.post("/transactions").handler(new BoundedBody(WireRules.MAX_MESSAGE_BYTES,
        ctx -> error(ctx, 413, "too_large", "body over " + WireRules.MAX_MESSAGE_BYTES + " bytes")));
    router.post("/transactions").handler(this::submit);
    router.get("/transactions/:hash").handler(this::transaction);
    router.get("/blocks/:height").handler(this::block);
    router.get("/genesis").handler(this::genesis);
    router.post("/gossip").handler(new BoundedBody(GossipDatagram.MAX_GOSSIP_BYTES,
        ctx -> error(ctx, 413, "too_large", "body over " + GossipDatagram.MAX_GOSSIP_BYTES + " bytes")));
    router.post("/gossip").handler(this::gossip);
    router.route("/admin/*").subRouter(new AdminRoutes(new EventBusAdminBackend(vertx.eventBus(), addresses), adminAllowRemote)
        .router(vertx));
    dashboard = new org.kinmesh.node.api.DashboardRoutes(vertx, addresses, pubkey,
        new EventBusAdminBackend(vertx.eventBus(), addresses),
        adminAllowRemote);
    dashboard.mount(router);
    router.route().last().handler(ctx -> error(ctx, 404, "not_found", "no such path"));
    router.errorHandler(405, ctx -> error(ctx, 404, "not_found", "no such path"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal", "internal error"));
    var guard = new org.kinmesh.net.ConnectionGuard(vertx, "api", limits,
        new org.kinmesh.net.SourceCounts(limits.maxConnectionsPerIp()), ip -> false, connectionStats);
    HttpServerOptions options = org.kinmesh.net.ConnectionGuard.apply(new HttpServerOptions(), limits)
        .setHost(listen.host()).setPort(listen.port())
        .setMaxInitialLineLength(MAX_INITIAL_LINE).setMaxHeaderSize(MAX_HEADERS);
    return dashboard.start().compose(d -> vertx.createHttpServer(options)
        .connectionHandler(guard::connected)
        .invalidRequestHandler(org.kinmesh.net.HttpErrors.invalidRequests("api", MAX_INITIAL_LINE, MAX_HEADERS))
        .requestHandler(guard.requests(router)).listen()
        .recover(e -> Future.failedFuture(org.kinmesh.net.BindFailure.describe(e, "TCP", listen.host(), listen.port(),
            "api_listen")))
        .compose(s -> {
          server = s;
          LOG.info("op=api_listen node={} addr={}:{}", pubkey.substring(0, 8), listen.host(), s.actualPort());
          return vertx.executeBlocking(() -> {
            Files.createDirectories(portFile.toAbsolutePath().getParent());
            Files.writeString(portFile, Integer.toString(s.actualPort()) + "\n");
            return null;
          });
        }));
  }

  @Override
  public Future<?> stop() {
    if (dashboard != null) {
      dashboard.stop();
    }
    return server == null ? Future.succeededFuture() : server.shutdown(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** 200 {"status":"ok"}, or 503 with the reason when the ledger cannot write (a full disk) or does not answer. */
  private void health(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(addresses.ledger().storage(), null, ASK).onComplete(ar -> {
      if (ar.failed()) {
        json(ctx, 503, new JsonObject().put("status", "unavailable").put("reason", "ledger_not_answering")
            .put("message", "the ledger does not answer: " + ar.cause().getMessage()));
      } else if (!ar.result().body().getBoolean("ok")) {
        JsonObject s = ar.result().body();
        json(ctx, 503, new JsonObject().put("status", "unavailable").put("reason", s.getString("reason"))
            .put("message", s.getString("message")));
      } else {
        json(ctx, 200, new JsonObject().put("status", "ok"));
      }
    });
  }

  private void status(RoutingContext ctx) {
    statusObject(ctx, base -> json(ctx, 200, base));
  }

  /**
   * Prometheus text (docs/node.md "Metrics"): the /status and /peers snapshots copied into the
   * meters at each scrape, so the numbers are the ones /status shows.
   */
  private void metrics(RoutingContext ctx) {
    statusObject(ctx, status -> vertx.eventBus().<JsonObject>request(addresses.api().peersStatus(), new JsonObject(), ASK)
        .onComplete(ar -> {
          JsonArray peers = ar.succeeded() ? ar.result().body().getJsonArray("peers", new JsonArray())
              : new JsonArray();
          metrics.update(status, peers);
          ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
        }));
  }

  /** The /status object, gathered from the verticles that own each part; 503 when the ledger does not answer. */
  private void statusObject(RoutingContext ctx, java.util.function.Consumer<JsonObject> done) {
    vertx.eventBus().<GovernanceState>request(addresses.ledger().state(), null, ASK).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, 503, "unavailable", "ledger not ready");
        return;
      }
      GovernanceState s = ar.result().body();
      JsonObject base = new JsonObject().put("pubkey", pubkey).put("blockchain_id", s.params().blockchainId())
          .put("height", s.height()).put("head_hash", s.headHash());
      // Consensus adds view, role and quorum when it runs; without it the ledger part still answers.
      vertx.eventBus().<JsonObject>request(addresses.api().nodeStatus(), null, ASK).onComplete(cs -> {
        if (cs.succeeded()) {
          base.mergeIn(cs.result().body());
        }
        vertx.eventBus().<JsonObject>request(addresses.gossip().status(), new JsonObject(), ASK).onComplete(gs -> {
          if (gs.succeeded()) {
            base.put("gossip", gs.result().body());
          }
          vertx.eventBus().<JsonObject>request(addresses.ledger().storage(), null, ASK).onComplete(st -> {
            base.put("storage", st.succeeded() ? st.result().body()
                : new JsonObject().put("ok", false).put("reason", "ledger_not_answering"));
            vertx.eventBus().<JsonObject>request(addresses.clock().status(), null, ASK).onComplete(ck -> {
              if (ck.succeeded()) {
                base.mergeIn(ck.result().body());
              }
              done.accept(base);
            });
          });
        });
      });
    });
  }

  /** Parses the body strictly, once (PROTOCOL.md §1: duplicate keys are malformed), and passes it typed. */
  private void submit(RoutingContext ctx) {
    Transaction tx;
    try {
      tx = Transaction.parse(BoundedBody.bytes(ctx));
    } catch (WireException e) {
      error(ctx, 400, "malformed", e.getMessage());
      return;
    }
    vertx.eventBus().<JsonObject>request(addresses.api().chainSubmit(), tx, ASK).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 202, ar.result().body());
      } else {
        busError(ctx, ar.cause());
      }
    });
  }

  /** Where a transaction stands on this node: pending, committed (height, block) or rejected (reason); 404 unknown. */
  private void transaction(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(addresses.ledger().txStatus(), new JsonObject().put("hash", ctx.pathParam("hash")),
        ASK).onComplete(ar -> {
          if (ar.succeeded()) {
            json(ctx, 200, ar.result().body());
          } else {
            busError(ctx, ar.cause());
          }
        });
  }

  private void block(RoutingContext ctx) {
    long height;
    try {
      height = Long.parseLong(ctx.pathParam("height"));
    } catch (NumberFormatException e) {
      error(ctx, 400, "malformed", "height must be a non-negative integer");
      return;
    }
    vertx.eventBus().<Block>request(addresses.ledger().block(), new JsonObject().put("height", height), ASK)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            Block b = ar.result().body();
            JsonObject body = LedgerVerticle.committedBody(b);
            if (b.commitCertificate() != null) {
              body.put("commit_certificate", new JsonObject(b.commitCertificate()));
            }
            json(ctx, 200, body);
          } else {
            busError(ctx, ar.cause());
          }
        });
  }

  /** Block 0 as the genesis file a node loads (params included): what kinmesh join fetches and checks. */
  private void genesis(RoutingContext ctx) {
    vertx.eventBus().<Block>request(addresses.ledger().block(), new JsonObject().put("height", 0L), ASK)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            ctx.response().setStatusCode(200).putHeader("content-type", JSON)
                .end(io.vertx.core.buffer.Buffer.buffer(ar.result().body().toJsonBytes()));
          } else {
            busError(ctx, ar.cause());
          }
        });
  }

  /**
   * The gossip fallback for when UDP is blocked (docs/gossip.md): the body is a gossip datagram or
   * its JSON; a pull is answered with its deltas, {"deltas": [...]}.
   */
  private void gossip(RoutingContext ctx) {
    JsonObject req = new JsonObject().put("source_ip", ctx.request().remoteAddress().hostAddress())
        .put("data", BoundedBody.bytes(ctx));
    vertx.eventBus().<JsonObject>request(addresses.gossip().http(), req, ASK).onComplete(ar -> {
      if (ar.failed()) {
        busError(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(ar.result().body().getInteger("status")).putHeader("content-type", JSON)
            .end(ar.result().body().getString("body"));
      }
    });
  }

  /** The list of peers as Links reports them (path, endpoint, NAT, last seen, state). */
  private void peers(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(addresses.api().peersStatus(), new JsonObject(), ASK).onComplete(ar -> {
      if (ar.failed()) {
        busError(ctx, ar.cause());
      } else {
        JsonArray peers = ar.result().body().getJsonArray("peers", new JsonArray());
        ctx.response().putHeader("content-type", JSON).end(peers.encode());
      }
    });
  }

  private static void busError(RoutingContext ctx, Throwable err) {
    if (err instanceof ReplyException re && re.failureCode() > 0 && re.getMessage() != null
        && re.getMessage().startsWith("{")) {
      JsonObject e = new JsonObject(re.getMessage());
      error(ctx, re.failureCode() < 600 ? re.failureCode() : 500, e.getString("error"), e.getString("message"));
    } else {
      error(ctx, 503, "unavailable", "the node part that answers this is not running");
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", JSON).end(body.encode());
  }

  /** An error answer; one sent before the body was read closes the connection (nothing more is read). */
  private static void error(RoutingContext ctx, int status, String code, String message) {
    if (!ctx.response().ended()) {
      org.kinmesh.net.HttpErrors.endRefusal(ctx.request(),
          ctx.response().setStatusCode(status).putHeader("content-type", JSON),
          new JsonObject().put("error", code).put("message", message).encode());
    }
  }
}
