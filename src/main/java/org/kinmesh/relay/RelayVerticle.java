package org.kinmesh.relay;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import org.kinmesh.store.Database;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay: opens its database, rebuilds the directory, applies bootstrap snapshots, deploys
 * one HTTP verticle per event loop and runs the TTL sweep on a jittered timer. Undeploying it
 * shuts the HTTP servers down gracefully, then closes the database.
 */
public final class RelayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RelayVerticle.class);
  /** Bound on each rate-limiter table (about 260 bytes a key), so a spray of addresses cannot exhaust memory. */
  private static final int MAX_LIMITER_KEYS = 100_000;

  private final RelayConfig config;
  private final TimeSource clock;
  private Database db;
  private RelayService service;
  private RateLimiter ipLimiter;
  private RateLimiter keyLimiter;
  private RelayMetrics metrics;
  private org.kinmesh.relay.forward.ForwardEndpoint forward;
  private org.kinmesh.net.SourceCounts connections;
  private final org.kinmesh.net.ConnectionGuard.Stats connectionStats = new org.kinmesh.net.ConnectionGuard.Stats();
  private org.kinmesh.relay.stun.RelayStunVerticle stun;
  private int boundPort = -1;
  private long sweepTimer = -1;
  private volatile boolean stopping;

  public RelayVerticle(RelayConfig config, TimeSource clock) {
    this.config = config;
    this.clock = clock;
  }

  public RelayVerticle(RelayConfig config) {
    this(config, TimeSource.SYSTEM);
  }

  /** The port the HTTP server listens on (useful when the config asks for port 0). */
  public int boundPort() {
    return boundPort;
  }

  /** Connections refused by the per-address cap or closed for want of a request (docs/security.md). */
  public org.kinmesh.net.ConnectionGuard.Stats connectionStats() {
    return connectionStats;
  }

  public RelayService service() {
    return service;
  }

  /** Relayed traffic (connections and forwarding); set once start has begun. */
  public org.kinmesh.relay.forward.ForwardHub forwardHub() {
    return forward == null ? null : forward.hub();
  }

  @Override
  public Future<?> start() {
    RelayDirectory directory = new RelayDirectory();
    metrics = new RelayMetrics(directory);
    ipLimiter = new RateLimiter(config.rateLimitPerMin(), MAX_LIMITER_KEYS, clock);
    keyLimiter = new RateLimiter(config.rateLimitPerMin(), MAX_LIMITER_KEYS, clock);
    var hub = new org.kinmesh.relay.forward.ForwardHub(config.relayed(),
        org.kinmesh.relay.forward.ForwardHub.members(directory), metrics.registry(), clock, config.freshnessSecs());
    directory.onDeauthorize(hub::deauthorized);
    forward = new org.kinmesh.relay.forward.ForwardEndpoint(hub, ipLimiter, config.trustedProxies());
    connections = new org.kinmesh.net.SourceCounts(config.limits().maxConnectionsPerIp());
    WriterContext writer = new WriterContext();
    return vertx.deployVerticle(writer, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .compose(id -> Database.open(vertx, config.dbPath(), RelayStore.MIGRATIONS))
        .compose(database -> {
          db = database;
          RelayStore store = new RelayStore(db, writer.context());
          metrics.storage(store.writeHealth());
          return store.loadInto(directory).compose(v -> store.tokenKey()).map(key -> {
            service = new RelayService(config, store, directory, new SessionTokens(key), keyLimiter, clock);
            return null;
          });
        })
        .compose(v -> service.bootstrap())
        .compose(v -> deployHttp())
        .compose(v -> deployStun())
        .onSuccess(v -> {
          scheduleSweep();
          LOG.info("op=start relay listening on {}://{}:{} db={} ttl={}s chains={}", config.tls() == null ? "http" : "https",
              config.listen().host(), boundPort, config.dbPath(), config.ttlSecs(), directory.chainCount());
        });
  }

  /** All instances listen on the configured port; Vert.x shares one socket among them. */
  private Future<Void> deployHttp() {
    java.util.List<RelayHttpVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      // A negative port makes Vert.x bind one random port and share it among the instances.
      RelayHttpVerticle v = newHttp(config.listen().port() == 0 ? -1 : config.listen().port());
      instances.add(v);
      return v;
    }, new DeploymentOptions().setInstances(config.httpInstances())).compose(id -> {
      boundPort = instances.get(0).actualPort();
      for (RelayHttpVerticle v : instances) {
        if (v.actualPort() != boundPort) {
          return Future.failedFuture("HTTP instances bound different ports: " + boundPort + " and " + v.actualPort());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** The STUN responder (docs/stun.md); a default address that is taken is skipped with a warning. */
  private Future<Void> deployStun() {
    if (!config.stun().enabled()) {
      return Future.succeededFuture();
    }
    org.kinmesh.relay.stun.RelayStunVerticle v = new org.kinmesh.relay.stun.RelayStunVerticle(config.stun(),
        new RateLimiter(config.stun().rateLimitPerMin(), MAX_LIMITER_KEYS, clock), metrics.registry());
    return vertx.deployVerticle(v).<Void>map(id -> {
      stun = v;
      return null;
    }).recover(e -> {
      if (config.stun().explicit()) {
        return Future.failedFuture(e);
      }
      LOG.warn("op=start no STUN responder: {} (set stun_listen to another address, or \"\" to turn it off)",
          e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** The STUN responder's bound addresses (one, or four with stun_alternate); empty when it is off. */
  public java.util.List<java.net.InetSocketAddress> stunAddresses() {
    return stun == null ? java.util.List.of() : stun.addresses();
  }

  private RelayHttpVerticle newHttp(int port) {
    RelayHttpVerticle.HealthCheck health = new RelayHttpVerticle.HealthCheck() {
      @Override
      public Future<Boolean> healthy() {
        return db.ping();
      }

      @Override
      public org.kinmesh.store.WriteHealth.Status writes() {
        return service.store().writeHealth().status();
      }
    };
    return new RelayHttpVerticle(config, service, ipLimiter, metrics, health, port, forward, connections,
        connectionStats);
  }

  private void scheduleSweep() {
    if (stopping) {
      return;
    }
    sweepTimer = vertx.setTimer(Jitter.around(config.sweepIntervalSecs() * 1000L, 0.2), id -> sweepNow()
        .onComplete(ar -> scheduleSweep()));
  }

  /** Runs one TTL sweep now (also used by tests with an injected clock). */
  public Future<Integer> sweepNow() {
    return service.sweep().onSuccess(n -> {
      if (n > 0) {
        metrics.evicted(n);
        LOG.info("op=sweep evicted={}", n);
      }
      ipLimiter.evictIdle();
      keyLimiter.evictIdle();
    }).onFailure(err -> LOG.warn("op=sweep failed: {}", err.toString()));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    // Child HTTP deployments are undeployed (gracefully) before this runs; requests whose
    // clients left may still have writes queued, so let the store go quiet before closing.
    if (db == null) {
      return Future.succeededFuture();
    }
    Future<Void> quiet = service == null ? Future.succeededFuture() : service.store().quiesce();
    return quiet.transform(ar -> db.close()).onSuccess(v -> LOG.info("op=stop relay database closed"));
  }

  /** A verticle that does nothing but own a worker context for the database writer. */
  private static final class WriterContext extends VerticleBase {
    io.vertx.core.Context context() {
      return context;
    }
  }
}
