package org.kinmesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests that Vert.x refuses before any route runs (a bad request line, a too-long URI or
 * header, a Content-Length past any limit). Each must still get the JSON error of PROTOCOL.md
 * §2, and the connection must close right after it.
 */
public final class HttpLayerErrors {
  private HttpLayerErrors() {}

  /** Checks the four cases against a server on 127.0.0.1:port. */
  public static void assertAllAnsweredAsJson(int port) throws IOException {
    assertJsonError(port, "GET /health HTTP/9.x\r\nHost: localhost\r\n\r\n", 400, "malformed");
    assertJsonError(port, "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 414, "too_large");
    assertJsonError(port, "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "p".repeat(40_000) + "\r\n\r\n",
        431, "too_large");
    assertJsonError(port, "POST /transactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100000000000000000000\r\n\r\n{}", 413, "too_large");
  }

  public static void assertJsonError(int port, String request, int status, String code) throws IOException {
    try (Socket s = RawHttp.connect(port, null)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      RawHttp.Answer a = RawHttp.read(s);
      String what = request.substring(0, Math.min(60, request.length())) + "...";
      assertThat(a.status()).as(what + " -> " + a.body()).isEqualTo(status);
      assertThat(a.header("content-type")).as(what).isEqualTo("application/json");
      JsonObject body = new JsonObject(a.body());
      assertThat(body.getString("error")).as(what).isEqualTo(code);
      assertThat(body.getString("message")).as(what).isNotBlank().doesNotContain("Exception");
      assertThat(a.header("connection")).as(what).isEqualTo("close");
      assertThat(RawHttp.closedWithin(s, 5_000)).as(what + ": connection closed after the error").isTrue();
    }
  }
}
