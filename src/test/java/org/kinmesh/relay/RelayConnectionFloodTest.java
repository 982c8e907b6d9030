package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Flood;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.testing.TestKeys;

/** Issue 13.2 on the relay: stalled connections, the per-address cap and the idle keep-alive timeout. */
class RelayConnectionFloodTest {
  @TempDir
  Path dir;
  TestRelay relay;

  @AfterEach
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  TestRelay start() throws Exception {
    return new TestRelay(dir, TestKeys.key(1), new JsonObject().put("http_request_timeout_secs", 1)
        .put("http_idle_timeout_secs", 2).put("relayed_ping_secs", 1).put("max_connections_per_ip", 64));
  }

  @Test
  void stalledConnectionsAreCappedAndClosedWhileHealthAnswers() throws Exception {
    relay = start();
    int port = relay.relay.boundPort();
    try (Flood flood = new Flood()) {
      flood.open(port, "127.0.0.1", 2_500);
      RawHttp.Answer health = health(port, "127.0.0.2");
      assertThat(health.status()).as(health.body()).isEqualTo(200);
      long closed = flood.assertAllClosedWithin(3_000);
      System.out.printf("relay flood: %d stalled connections, all closed %d ms after the last connect; "
          + "%d refused at accept, %d closed at the request deadline%n", flood.size(), closed,
          relay.relay.connectionStats().refused(), relay.relay.connectionStats().timedOut());
      // Each was refused at accept (its address held 64) or closed at its deadline.
      assertThat(relay.relay.connectionStats().refused() + relay.relay.connectionStats().timedOut())
          .isGreaterThanOrEqualTo(2_500);
      assertThat(relay.relay.connectionStats().refused()).isGreaterThan(1_000);
    }
    // The cap is released with the connections: the flooding address is served again.
    assertThat(health(port, "127.0.0.1").status()).isEqualTo(200);
  }

  @Test
  void anIdleKeepAliveConnectionIsClosed() throws Exception {
    relay = start();
    try (Socket s = RawHttp.connect(relay.relay.boundPort(), null)) {
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(s).status()).isEqualTo(200);
      long start = System.nanoTime();
      assertThat(RawHttp.closedWithin(s, 5_000)).as("idle keep-alive connection closed").isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
    }
  }

  @Test
  void aTrickledBodyIsCutAtTheRequestTimeout() throws Exception {
    relay = start();
    try (Socket s = RawHttp.connect(relay.relay.boundPort(), null)) {
      s.getOutputStream().write("POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{"
          .getBytes(StandardCharsets.ISO_8859_1));
      long start = System.nanoTime();
      boolean cut = false;
      for (int i = 0; i < 40 && !cut; i++) {
        try {
          s.getOutputStream().write(' ');
          s.getOutputStream().flush();
          cut = RawHttp.closedWithin(s, 200);
        } catch (java.io.IOException e) {
          cut = true;
        }
      }
      assertThat(cut).as("a body trickled for 8 s is cut").isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
    }
  }

  @Test
  void aTrustedProxyIsNotCapped() throws Exception {
    // A reverse proxy carries many clients on one address; it limits them itself.
    relay = new TestRelay(dir, TestKeys.key(1), new JsonObject().put("http_request_timeout_secs", 1)
        .put("max_connections_per_ip", 2).put("trusted_proxies", new io.vertx.core.json.JsonArray().add("127.0.0.1")));
    try (Flood proxied = new Flood(); Flood other = new Flood()) {
      proxied.open(relay.relay.boundPort(), "127.0.0.1", 6);
      other.open(relay.relay.boundPort(), "127.0.0.2", 6);
      proxied.assertAllClosedWithin(4_000);
      other.assertAllClosedWithin(4_000);
    }
    // Only the untrusted address met the cap: 4 of its 6 refused, the proxy's 6 and its 2 reached the deadline.
    assertThat(relay.relay.connectionStats().refused()).isEqualTo(4);
    assertThat(relay.relay.connectionStats().timedOut()).isEqualTo(8);
  }

  static RawHttp.Answer health(int port, String from) throws Exception {
    try (Socket s = RawHttp.connect(port, from)) {
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return RawHttp.read(s);
    }
  }
}
