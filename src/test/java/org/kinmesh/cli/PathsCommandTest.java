package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

class PathsCommandTest {
  @RegisterExtension
  final StdCapture std = new StdCapture();
  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  private int run(String... args) {
    return Main.run(args);
  }

  /** A stand-in /peers on loopback, answering what a node answers. */
  private int serve(int status, String body) {
    return Await.result(vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(status).end(body))
        .listen(0, "127.0.0.1")).actualPort();
  }

  @Test
  void printsOneLinePerPeerWithPathEndpointRttNatAndWhy() {
    JsonArray peers = new JsonArray()
        .add(new JsonObject().put("pubkey", "a".repeat(64)).put("path", "direct_udp").put("endpoint", "198.51.100.2:7070")
            .put("rtt_ms", 4).put("nat", "port_restricted").put("why", "direct path open"))
        .add(new JsonObject().put("pubkey", "b".repeat(64)).put("path", "none").putNull("endpoint").putNull("rtt_ms")
            .put("nat", "unknown").put("why", "no working path"));
    int port = serve(200, peers.encode());
    assertThat(run("paths", "--node", "http://127.0.0.1:" + port)).isZero();
    String[] lines = std.out().split("\n");
    assertThat(lines[0]).contains("PEER", "PATH", "ENDPOINT", "RTT_MS", "NAT", "WHY");
    assertThat(lines[1]).contains("aaaaaaaa", "direct_udp", "198.51.100.2:7070", "4", "port_restricted",
        "direct path open");
    assertThat(lines[2]).contains("bbbbbbbb", "none", "-", "no working path");
  }

  @Test
  void jsonPrintsTheNodesAnswer() {
    int port = serve(200, "[{\"pubkey\":\"cc\",\"path\":\"relayed\"}]");
    assertThat(run("paths", "--json", "--node", "http://127.0.0.1:" + port)).isZero();
    assertThat(new JsonArray(std.out()).getJsonObject(0).getString("path"))
        .isEqualTo("relayed");
  }

  @Test
  void badNodeUrlsAndBadAnswersAreClearErrors() {
    assertThat(run("paths", "--node", "ftp://x")).isEqualTo(ExitCodes.USAGE);
    assertThat(std.err()).contains("--node must look like");
    int port = serve(503, "{\"error\":\"unavailable\"}");
    assertThat(run("paths", "--node", "http://127.0.0.1:" + port)).isEqualTo(ExitCodes.FAILURE);
    assertThat(std.err()).contains("503");
    int junk = serve(200, "not json");
    assertThat(run("paths", "--node", "http://127.0.0.1:" + junk)).isEqualTo(ExitCodes.FAILURE);
  }
}
