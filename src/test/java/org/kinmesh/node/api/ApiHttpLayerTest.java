package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.config.HostPort;
import org.kinmesh.node.NodeApiVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.HttpLayerErrors;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.testing.TestKeys;

/** The node API's answers to requests refused below its routes (the API verticle alone). */
class ApiHttpLayerTest {
  @TempDir
  Path dir;
  Vertx vertx;
  NodeApiVerticle api;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    api = new NodeApiVerticle(new HostPort("127.0.0.1", 0), dir.resolve("api.port"), TestKeys.key(11).publicKeyHex(),
        false);
    Await.result(vertx.deployVerticle(api));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void httpLayerErrorsAreJsonAndCloseTheConnection() throws Exception {
    HttpLayerErrors.assertAllAnsweredAsJson(api.actualPort());
  }

  @Test
  void aRefusedBodyIsNotDrained() throws Exception {
    try (Socket s = RawHttp.connect(api.actualPort(), null)) {
      var out = s.getOutputStream();
      out.write("POST /transactions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      String chunk = "x".repeat(70_000);
      out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      RawHttp.Answer a = RawHttp.read(s);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.header("connection")).isEqualTo("close");
      assertThat(RawHttp.closedWithin(s, 3_000)).as("connection closed after the 413").isTrue();
    }
  }
}
