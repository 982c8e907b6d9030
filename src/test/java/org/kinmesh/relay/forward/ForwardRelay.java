package org.kinmesh.relay.forward;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;

/**
 * A real relay on loopback for relayed-traffic tests: two HTTP event loops (so forwarding
 * crosses threads), two blockchains bootstrapped with their keys, a manual clock.
 */
final class ForwardRelay implements AutoCloseable {
  static final long START_SECS = 1_767_225_600L;
  static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";

  final Vertx vertx = Vertx.vertx();
  final ManualTimeSource clock = new ManualTimeSource(START_SECS * 1000);
  final Identity admin = TestKeys.key(901);
  RelayVerticle relay;
  private String deploymentId;
  private RelayConfig config;

  /** {@code chains}: blockchain id to the keys authorized in it. */
  ForwardRelay(Path dir, JsonObject overrides, Map<String, Identity[]> chains) {
    this(dir, overrides, chains, GENESIS);
  }

  /** As above, every chain registered with {@code genesisHash}. */
  ForwardRelay(Path dir, JsonObject overrides, Map<String, Identity[]> chains, String genesisHash) {
    JsonArray bootstrap = new JsonArray();
    chains.forEach((chain, keys) -> {
      JsonArray authorized = new JsonArray();
      for (Identity k : keys) {
        authorized.add(k.publicKeyHex());
      }
      bootstrap.add(new JsonObject().put("blockchain_id", chain).put("genesis_hash", genesisHash)
          .put("admin_pubkey", admin.publicKeyHex()).put("authorized_pubkeys", authorized));
    });
    JsonObject json = new JsonObject()
        .put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("http_instances", 2)
        .put("shutdown_grace_secs", 0)
        .put("bootstrap", bootstrap);
    json.mergeIn(overrides);
    try {
      config = RelayConfig.fromJson(json, Map.of());
      relay = new RelayVerticle(config, clock);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    deploymentId = Await.result(vertx.deployVerticle(relay));
  }

  void stop() {
    Await.result(vertx.undeploy(deploymentId));
  }

  /** Stops the relay and starts a new one on the same database (a new port). */
  void restart() {
    stop();
    relay = new RelayVerticle(config, clock);
    deploymentId = Await.result(vertx.deployVerticle(relay));
  }

  int port() {
    return relay.boundPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  ForwardHub hub() {
    return relay.forwardHub();
  }

  RelayAnswer authorize(String chain, Identity key, AuthorizeNodeRequest.Action action) {
    clock.advanceSeconds(1); // the relay's replay rule wants a newer timestamp per admin request
    try (RelayHttpClient c = new RelayHttpClient(vertx, url(), clock)) {
      return Await.result(c.authorizeNode(admin, chain, key.publicKeyHex(), action));
    }
  }

  String metrics() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create(url() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of one Prometheus sample line, e.g. {@code kinmesh_relay_forward_frames_total}; 0 when absent. */
  double metric(String sample) throws Exception {
    for (String line : metrics().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
