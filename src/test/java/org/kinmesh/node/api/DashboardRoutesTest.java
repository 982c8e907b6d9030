package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.util.ManualTimeSource;

/**
 * The dashboard's event stream over a real ledger (AdminApiFixture: no consensus, links or ledger
 * verticle run, so no quorum, edges or block list): snapshots follow the chain without a reload,
 * and open streams are bounded.
 */
class DashboardRoutesTest {
  @TempDir
  Path dir;
  AdminApiFixture ledger;
  int port;

  @BeforeEach
  void start() throws Exception {
    ManualTimeSource clock = new ManualTimeSource(AdminApiFixture.T0 * 1000 + 5_000);
    ledger = new AdminApiFixture(dir, clock);
    AdminBackend backend = new LedgerAdminBackend(ledger.store,
        new TransactionIntake(ledger.store::state, ledger.mempool, clock));
    String self = AdminApiFixture.NODES.get(0).publicKeyHex();
    HttpServer[] server = new HttpServer[1];
    // Deployed as the node API deploys it: routes, streams and refreshes on one event loop.
    Await.result(ledger.vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        Router router = Router.router(vertx);
        DashboardRoutes d = new DashboardRoutes(vertx, org.kinmesh.node.NodeAddresses.DEFAULT, self, backend, false);
        d.mount(router);
        return d.start().compose(v -> vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"))
            .onSuccess(s -> server[0] = s);
      }
    }));
    port = server[0].actualPort();
  }

  @AfterEach
  void stop() {
    ledger.close();
  }

  Socket open() throws Exception {
    Socket s = RawHttp.connect(port, null);
    s.getOutputStream().write(("GET /dashboard/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    return s;
  }

  /** The next snapshot on the stream (its chunk framing skipped); the socket's read timeout bounds the wait. */
  static JsonObject next(BufferedReader in) throws Exception {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith("data: ")) {
        return new JsonObject(line.substring(6));
      }
    }
    throw new AssertionError("the stream ended");
  }

  @Test
  void theStreamFollowsTheChainWithoutAReload() throws Exception {
    try (Socket s = open()) {
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).startsWith("HTTP/1.1 200");
      JsonObject first = next(in);
      assertThat(first.getJsonObject("chain").getLong("height")).isZero();
      assertThat(first.getValue("quorum")).as("consensus is not running: no quorum claimed").isNull();
      assertThat(first.getJsonArray("nodes")).hasSize(4);
      assertThat(first.getJsonArray("audit")).as("loopback sees the audit trail").isNotEmpty();
      ledger.commitPending();
      JsonObject later = next(in);
      while (later.getJsonObject("chain").getLong("height") < 1) {
        later = next(in);
      }
      assertThat(later.getJsonObject("chain").getString("head_hash")).isEqualTo(ledger.store.state().headHash());
    }
  }

  @Test
  void openStreamsAreBoundedAndAClosedOneFreesItsPlace() throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < DashboardRoutes.MAX_STREAMS; i++) {
        Socket s = open();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).as("stream " + i).startsWith("HTTP/1.1 200");
        open.add(s);
      }
      RawHttp.Answer refused = RawHttp.exchange(port, "GET /dashboard/events HTTP/1.1\r\nHost: localhost\r\n"
          + "Connection: close\r\n\r\n");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("limit_reached");
      assertThat(new JsonObject(refused.body()).getString("message")).contains("close one");
      open.remove(0).close();
      Await.until("a closed stream frees its place", Duration.ofSeconds(10), () -> {
        try {
          return RawHttp.exchange(port, "GET /dashboard/snapshot HTTP/1.1\r\nHost: localhost\r\n\r\n").status() == 200
              && accepted();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private boolean accepted() throws Exception {
    try (Socket s = open()) {
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      return status != null && status.startsWith("HTTP/1.1 200");
    }
  }
}
