package org.kinmesh.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.util.ManualTimeSource;

/**
 * A real relay for node tests: own Vert.x, SQLite in a temp dir, one blockchain bootstrapped
 * with its authorized keys, manual clock. It can be stopped and started again on the same port.
 */
public final class LocalRelay implements AutoCloseable {
  public static final long START_SECS = 1_767_225_600L;
  public static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";

  public final Vertx vertx = Vertx.vertx();
  public final ManualTimeSource clock;
  private final JsonObject json;
  private RelayVerticle relay;
  private String deploymentId;
  private int port;

  public LocalRelay(Path dir, String chain, JsonObject overrides, ManualTimeSource clock, Identity... keys) {
    this.clock = clock;
    Identity admin = TestKeys.key(900);
    JsonArray authorized = new JsonArray();
    for (Identity k : keys) {
      authorized.add(k.publicKeyHex());
    }
    json = new JsonObject()
        .put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("http_instances", 1)
        .put("shutdown_grace_secs", 0)
        .put("stun_listen", "127.0.0.1:0") // a restart gives listen_addr a port, which would default STUN to 3478
        .put("bootstrap", new JsonArray().add(new JsonObject().put("blockchain_id", chain).put("genesis_hash", GENESIS)
            .put("admin_pubkey", admin.publicKeyHex()).put("authorized_pubkeys", authorized)));
    json.mergeIn(overrides);
  }

  /** Starts on the configured port the first time, then on the same port as before. */
  public LocalRelay start() {
    try {
      JsonObject conf = json.copy();
      if (port > 0) {
        conf.put("listen_addr", "127.0.0.1:" + port);
      }
      relay = new RelayVerticle(RelayConfig.fromJson(conf, Map.of()), clock);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    deploymentId = Await.result(vertx.deployVerticle(relay));
    port = relay.boundPort();
    return this;
  }

  public void stop() {
    Await.result(vertx.undeploy(deploymentId));
    deploymentId = null;
  }

  public int port() {
    return port;
  }

  /** The relay's STUN responder addresses (one, or four with stun_alternate). */
  public java.util.List<java.net.InetSocketAddress> stunAddresses() {
    return relay.stunAddresses();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
