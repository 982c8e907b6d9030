package org.kinmesh.node.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.chain.Block;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.util.Jitter;

/**
 * The live dashboard (docs/node.md, "Dashboard"): the page at {@code /}, its script and style
 * from inside the jar, and {@code /dashboard/events}, a server-sent-event stream of
 * {@link DashboardView} snapshots, sent when a block commits, when a peer's link changes, and
 * every couple of seconds. Snapshots are built only while a page watches, one at a time.
 */
public final class DashboardRoutes {
  /** The event-bus addresses of the node this dashboard belongs to. */
  private final NodeAddresses addresses;
  /** Pages watching at once; more get 503 (each costs a connection and a snapshot write). */
  static final int MAX_STREAMS = 16;
  private static final long REFRESH_MS = 2_000;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);
  // The page's script and style come from this origin only; no inline script, no framing.
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final Vertx vertx;
  private final String self;
  private final AdminBackend admin;
  private final boolean adminAllowRemote;
  private final Map<String, Buffer> files = new LinkedHashMap<>();
  private final Map<HttpServerResponse, Boolean> streams = new LinkedHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long timer = -1;
  private boolean building;
  private boolean again;

  public DashboardRoutes(Vertx vertx, NodeAddresses addresses, String self, AdminBackend admin,
      boolean adminAllowRemote) {
    this.addresses = addresses;
    this.vertx = vertx;
    this.self = self;
    this.admin = admin;
    this.adminAllowRemote = adminAllowRemote;
    files.put("/", resource("index.html"));
    files.put("/dashboard/app.js", resource("app.js"));
    files.put("/dashboard/app.css", resource("app.css"));
  }

  public void mount(Router router) {
    router.get("/").handler(ctx -> file(ctx, "/", "text/html; charset=utf-8"));
    router.get("/dashboard/app.js").handler(ctx -> file(ctx, "/dashboard/app.js", "text/javascript; charset=utf-8"));
    router.get("/dashboard/app.css").handler(ctx -> file(ctx, "/dashboard/app.css", "text/css; charset=utf-8"));
    router.get("/dashboard/snapshot").handler(this::snapshot);
    router.get("/dashboard/events").handler(this::events);
  }

  /** Listens for commits and link changes and arms the periodic refresh; call on the API's event loop. */
  public Future<Void> start() {
    consumers.add(vertx.eventBus().localConsumer(addresses.api().chainCommitted(), m -> refresh()));
    consumers.add(vertx.eventBus().localConsumer(addresses.api().peersEvents(), m -> refresh()));
    arm();
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  public void stop() {
    vertx.cancelTimer(timer);
    consumers.forEach(MessageConsumer::unregister);
    new ArrayList<>(streams.keySet()).forEach(r -> r.end());
    streams.clear();
  }

  private void arm() {
    timer = vertx.setTimer(Jitter.around(REFRESH_MS, 0.2), t -> {
      refresh();
      arm();
    });
  }

  private void file(RoutingContext ctx, String name, String type) {
    headers(ctx.response()).putHeader("content-type", type).end(files.get(name));
  }

  private void snapshot(RoutingContext ctx) {
    build().onComplete(ar -> {
      if (ar.failed()) {
        headers(ctx.response()).setStatusCode(503).putHeader("content-type", "application/json")
            .end(new JsonObject().put("error", "unavailable").put("message", "the ledger does not answer: "
                + ar.cause().getMessage()).encode());
      } else {
        headers(ctx.response()).putHeader("content-type", "application/json")
            .end(forCaller(ar.result(), adminAllowed(ctx)).encode());
      }
    });
  }

  private void events(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    if (streams.size() >= MAX_STREAMS) {
      headers(r).setStatusCode(503).putHeader("content-type", "application/json").end(new JsonObject()
          .put("error", "limit_reached").put("message", MAX_STREAMS + " dashboards are open on this node already; "
              + "close one").encode());
      return;
    }
    headers(r).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-store").setChunked(true);
    streams.put(r, adminAllowed(ctx));
    r.closeHandler(v -> streams.remove(r));
    r.write("retry: 2000\n\n");
    refresh();
  }

  /** Sends a fresh snapshot to every page; a call while one is being built asks for one more after it. */
  private void refresh() {
    if (streams.isEmpty()) {
      return;
    }
    if (building) {
      again = true;
      return;
    }
    building = true;
    build().onComplete(ar -> {
      building = false;
      if (ar.succeeded()) {
        streams.forEach((r, adminOk) -> {
          if (!r.closed() && !r.writeQueueFull()) {
            r.write("event: snapshot\ndata: " + forCaller(ar.result(), adminOk).encode() + "\n\n");
          }
        });
      }
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  private Future<JsonObject> build() {
    return admin.state().compose(state -> {
      Future<JsonObject> consensus = vertx.eventBus().<JsonObject>request(addresses.api().nodeStatus(), null, ASK)
          .map(m -> m.body()).otherwise((JsonObject) null);
      Future<JsonArray> peers = vertx.eventBus().<JsonObject>request(addresses.api().peersStatus(), new JsonObject(), ASK)
          .map(m -> m.body().getJsonArray("peers", new JsonArray())).otherwise((JsonArray) null);
      List<Future<Block>> blocks = new ArrayList<>();
      for (long h = state.height(); h >= 0 && h > state.height() - DashboardView.RECENT_BLOCKS; h--) {
        blocks.add(vertx.eventBus().<Block>request(addresses.ledger().block(), new JsonObject().put("height", h), ASK)
            .map(m -> m.body()).otherwise((Block) null));
      }
      Future<List<org.kinmesh.chain.AuditEntry>> audit = admin.audit(null).otherwise(List.of());
      List<Future<?>> all = new ArrayList<>(blocks);
      all.add(consensus);
      all.add(peers);
      all.add(audit);
      return Future.join(all).transform(done -> Future.succeededFuture(DashboardView.build(self, state,
          consensus.result(), peers.result(), blocks.stream().map(Future::result).filter(b -> b != null).toList(),
          audit.result() == null ? List.of() : audit.result(), System.currentTimeMillis())));
    });
  }

  private JsonObject forCaller(JsonObject snapshot, boolean adminOk) {
    return adminOk ? snapshot : DashboardView.withoutAdmin(snapshot);
  }

  private boolean adminAllowed(RoutingContext ctx) {
    return adminAllowRemote || AdminRoutes.isLoopback(ctx.request().remoteAddress().hostAddress());
  }

  private static HttpServerResponse headers(HttpServerResponse r) {
    return r.putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY").putHeader("referrer-policy", "no-referrer");
  }

  private static Buffer resource(String name) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream("/org/kinmesh/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file " + name + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
