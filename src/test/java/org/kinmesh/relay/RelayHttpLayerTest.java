package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.HttpLayerErrors;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.testing.TestKeys;

/** What the relay answers to requests refused below its routes, and what it does to their connections. */
class RelayHttpLayerTest {
  @TempDir
  Path dir;
  TestRelay relay;

  @AfterEach
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void httpLayerErrorsAreJsonAndCloseTheConnection() throws Exception {
    relay = new TestRelay(dir, TestKeys.key(1), new JsonObject());
    HttpLayerErrors.assertAllAnsweredAsJson(relay.relay.boundPort());
  }

  @Test
  void aRefusedChunkedBodyIsNotDrained() throws Exception {
    relay = new TestRelay(dir, TestKeys.key(1), new JsonObject());
    try (Socket s = RawHttp.connect(relay.relay.boundPort(), null)) {
      var out = s.getOutputStream();
      out.write(("POST /register HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String chunk = "x".repeat(70_000);
      out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      RawHttp.Answer a = RawHttp.read(s);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.header("connection")).isEqualTo("close");
      // The client could go on sending for minutes; the relay must hang up instead of reading it.
      assertThat(RawHttp.closedWithin(s, 3_000)).as("connection closed after the 413").isTrue();
    }
  }

  @Test
  void aRefusedDeclaredBodyIsNotWaitedFor() throws Exception {
    relay = new TestRelay(dir, TestKeys.key(1), new JsonObject());
    try (Socket s = RawHttp.connect(relay.relay.boundPort(), null)) {
      s.getOutputStream().write(("POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 900000\r\n\r\n{")
          .getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      RawHttp.Answer a = RawHttp.read(s);
      assertThat(a.status()).isEqualTo(413);
      assertThat(RawHttp.closedWithin(s, 3_000)).as("connection closed after the 413").isTrue();
    }
  }

  @Test
  void anErrorToARequestReadInFullKeepsTheConnection() throws Exception {
    relay = new TestRelay(dir, TestKeys.key(1), new JsonObject());
    try (Socket s = RawHttp.connect(relay.relay.boundPort(), null)) {
      for (String req : new String[] {"GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n",
          "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\r\nnot json"}) {
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Answer a = RawHttp.read(s);
        assertThat(a.status()).isIn(400, 404);
        assertThat(a.header("connection")).isNull();
      }
      // Keep-alive: the same connection serves the next request.
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(s).status()).isEqualTo(200);
    }
  }
}
