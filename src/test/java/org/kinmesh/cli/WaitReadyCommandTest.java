package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

class WaitReadyCommandTest {
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

  /** A /health that answers 503 to its first {@code notReady} requests and 200 after; counts them. */
  private int health(int notReady, AtomicInteger seen) {
    return Await.result(vertx.createHttpServer().requestHandler(r -> {
      int n = seen.incrementAndGet();
      r.response().setStatusCode(!"/health".equals(r.path()) ? 404 : n <= notReady ? 503 : 200).end();
    }).listen(0, "127.0.0.1")).actualPort();
  }

  @Test
  void returnsOnceHealthAnswers200AndRetriesUntilThen() {
    AtomicInteger seen = new AtomicInteger();
    int port = health(3, seen);
    assertThat(Main.run("wait-ready", "http://127.0.0.1:" + port, "--timeout-secs", "30")).isZero();
    assertThat(seen.get()).isEqualTo(4);
    assertThat(std.err()).contains("http://127.0.0.1:" + port + " ready after");
  }

  @Test
  void aBasePathKeepsItsPath() throws Exception {
    assertThat(WaitReadyCommand.healthUri("http://127.0.0.1:5050/").toString()).isEqualTo("http://127.0.0.1:5050/health");
    assertThat(WaitReadyCommand.healthUri("https://relay.example/kinmesh").toString())
        .isEqualTo("https://relay.example/kinmesh/health");
  }

  @Test
  void nothingListeningGivesUpAfterTheTimeoutSayingWhatToCheck() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(Main.run("wait-ready", "http://127.0.0.1:" + port, "--timeout-secs", "1")).isEqualTo(1);
    assertThat(std.err()).contains("not ready after 1 s").contains("is the relay or node running");
  }

  @Test
  void badUrlOrTimeoutIsAUsageError() {
    assertThat(Main.run("wait-ready", "127.0.0.1:5050")).isEqualTo(2);
    assertThat(std.err()).contains("URL must be http://HOST:PORT");
    assertThat(Main.run("wait-ready", "http://127.0.0.1:5050", "--timeout-secs", "0")).isEqualTo(2);
    assertThat(std.err()).contains("--timeout-secs must be 1..3600");
  }
}
