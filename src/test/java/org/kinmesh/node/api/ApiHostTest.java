package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.config.HostPort;
import org.kinmesh.node.NodeApiVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.testing.TestKeys;

/**
 * DNS rebinding: a web page whose name was rebound to 127.0.0.1 sends its own name as Host. The
 * API must refuse such requests (the ones a browser would let the page read) and set no CORS header.
 */
class ApiHostTest {
  @TempDir
  Path dir;
  Vertx vertx;
  int port;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // The API alone: /health asks the ledger whether its writes go through; here it always does.
    vertx.eventBus().<JsonObject>localConsumer(NodeAddresses.DEFAULT.ledger().storage(),
        m -> m.reply(new JsonObject().put("ok", true)));
    NodeApiVerticle api = new NodeApiVerticle(new HostPort("127.0.0.1", 0), dir.resolve("api.port"),
        TestKeys.key(11).publicKeyHex(), false);
    Await.result(vertx.deployVerticle(api));
    port = api.actualPort();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  RawHttp.Answer get(String path, String host) throws Exception {
    return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host
        + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void aForeignHostIsRefusedOnEveryRoute() throws Exception {
    for (String path : new String[] {"/health", "/blocks/0", "/status", "/admin/proposals", "/peers", "/",
        "/dashboard/events", "/dashboard/app.js", "/metrics"}) {
      for (String host : new String[] {"evil.example", "evil.example:" + port, "localhost.evil.example",
          "127.0.0.1.nip.io:" + port}) {
        RawHttp.Answer a = get(path, host);
        assertThat(a.status()).as(path + " Host " + host + " -> " + a.body()).isEqualTo(403);
        JsonObject body = new JsonObject(a.body());
        assertThat(body.getString("error")).isEqualTo("forbidden");
        assertThat(body.getString("message")).contains("api_allowed_hosts");
        assertThat(a.header("access-control-allow-origin")).isNull();
      }
    }
  }

  @Test
  void loopbackNamesAndAddressesAreServed() throws Exception {
    for (String host : new String[] {"localhost", "localhost:" + port, "127.0.0.1:" + port, "127.3.4.5", "[::1]:"
        + port, "LOCALHOST:" + port}) {
      RawHttp.Answer a = get("/health", host);
      assertThat(a.status()).as("Host " + host + " -> " + a.body()).isEqualTo(200);
      assertThat(a.header("access-control-allow-origin")).as("no CORS header").isNull();
    }
  }

  /** The dashboard's page and its files come from inside the jar, from this origin only, never framed. */
  @Test
  void theDashboardIsServedFromTheJarWithAStrictContentPolicy() throws Exception {
    RawHttp.Answer page = get("/", "localhost:" + port);
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    assertThat(page.header("content-type")).startsWith("text/html");
    assertThat(page.body()).contains("<svg id=\"map\"").contains("src=\"/dashboard/app.js\"")
        .doesNotContain("http://", "https://");
    assertThat(page.header("content-security-policy")).contains("default-src 'none'", "script-src 'self'",
        "connect-src 'self'", "frame-ancestors 'none'");
    assertThat(page.header("access-control-allow-origin")).isNull();
    RawHttp.Answer script = get("/dashboard/app.js", "127.0.0.1:" + port);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("content-type")).startsWith("text/javascript");
    assertThat(script.body()).contains("EventSource(\"/dashboard/events\")").doesNotContain("innerHTML");
    assertThat(get("/dashboard/app.css", "localhost").status()).isEqualTo(200);
  }

  @Test
  void aPreflightGetsNoCorsPermission() throws Exception {
    RawHttp.Answer a = RawHttp.exchange(port, "OPTIONS /transactions HTTP/1.1\r\nHost: localhost:" + port
        + "\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
    assertThat(a.header("access-control-allow-origin")).isNull();
    assertThat(a.header("access-control-allow-methods")).isNull();
  }
}
