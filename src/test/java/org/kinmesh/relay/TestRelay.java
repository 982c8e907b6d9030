package org.kinmesh.relay;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.util.ManualTimeSource;

/** A real relay on loopback (port 0, SQLite file in a temp dir) driven by a manual clock. */
final class TestRelay implements AutoCloseable {
  static final long START_SECS = 1_767_225_600L;

  final Vertx vertx = Vertx.vertx();
  final ManualTimeSource clock;
  final RelayConfig config;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  RelayVerticle relay;
  private String deploymentId;

  TestRelay(Path dir, Identity operator, JsonObject overrides) throws Exception {
    this(dir, operator, overrides, new ManualTimeSource(START_SECS * 1000));
  }

  TestRelay(Path dir, Identity operator, JsonObject overrides, ManualTimeSource clock) throws Exception {
    this.clock = clock;
    JsonObject json = new JsonObject()
        .put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("admin_pubkeys", new JsonArray().add(operator.publicKeyHex()))
        .put("http_instances", 2);
    json.mergeIn(overrides);
    this.config = RelayConfig.fromJson(json, Map.of());
    start();
  }

  void start() {
    relay = new RelayVerticle(config, clock);
    deploymentId = Await.result(vertx.deployVerticle(relay));
  }

  void stop() {
    Await.result(vertx.undeploy(deploymentId));
  }

  void restart() {
    stop();
    start();
  }

  String base() {
    return "http://127.0.0.1:" + relay.boundPort();
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, JsonObject body) throws IOException, InterruptedException {
    return post(path, body.encode());
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
