package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.SmallTmpfs;

/**
 * Issue 13.3: one node's data_dir on a small tmpfs that a filler file fills. The node must say so
 * (/health 503 with the reason, /status's storage part) while the others go on, and, once the
 * filler is gone, write what it held back and commit again, without a gap in its stored chain.
 */
class DiskFullTest {
  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aNodeWhoseDiskFillsSaysSoAndRecoversWhenSpaceReturns() throws Exception {
    Path mnt = dir.resolve("small");
    try (SmallTmpfs fs = SmallTmpfs.mount(mnt, 8 * 1024);
        TestNetwork net = new TestNetwork(dir, 4, (i, json) -> {
          if (i == 3) {
            json.put("data_dir", mnt.resolve("n3").toString());
          }
        })) {
      net.startAll();
      net.awaitHeightOnUpNodes(3);
      assertThat(health(net, 3).statusCode()).isEqualTo(200);

      fs.fill();
      Await.until("node 3's /health reports the full disk", Duration.ofSeconds(30),
          () -> health(net, 3).statusCode() == 503);
      JsonObject h = new JsonObject(health(net, 3).body());
      assertThat(h.getString("status")).isEqualTo("unavailable");
      assertThat(h.getString("reason")).isEqualTo("disk_full");
      assertThat(h.getString("message")).contains("free space at " + mnt.resolve("n3"));
      JsonObject storage = status(net, 3).getJsonObject("storage");
      assertThat(storage.getBoolean("ok")).isFalse();
      assertThat(storage.getLong("write_failures")).isPositive();
      // the others go on without it
      long stuck = net.node(3).height();
      net.awaitHeight(0, stuck + 5);
      // Memory stays bounded however long the disk is full: node 3 keeps at most MAX_UNWRITTEN
      // committed blocks unwritten, then takes no part in new commits (and says so) while the
      // others commit well past the bound.
      long past = net.maxHeight() + LedgerVerticle.MAX_UNWRITTEN + 10;
      long[] most = {0};
      Await.until("node 0 commits " + past + " while node 3's disk is full", Duration.ofSeconds(120), () -> {
        most[0] = Math.max(most[0], status(net, 3).getJsonObject("storage").getLong("unwritten_blocks"));
        return net.node(0).height() >= past;
      });
      assertThat(most[0]).as("most committed blocks node 3 held unwritten while 0 went %d blocks on",
          LedgerVerticle.MAX_UNWRITTEN + 10).isLessThanOrEqualTo(LedgerVerticle.MAX_UNWRITTEN);
      JsonObject paused = status(net, 3).getJsonObject("storage");
      assertThat(paused.getBoolean("commits_paused")).isTrue();
      assertThat(paused.getLong("max_unwritten_blocks")).isEqualTo(LedgerVerticle.MAX_UNWRITTEN);
      assertThat(new JsonObject(health(net, 3).body()).getString("message")).contains("takes no part in new commits");

      fs.free();
      long target = net.maxHeight() + 3;
      net.awaitHeight(3, target, Duration.ofSeconds(60));
      Await.until("node 3's /health is ok again", Duration.ofSeconds(30), () -> health(net, 3).statusCode() == 200);
      assertThat(status(net, 3).getJsonObject("storage").getBoolean("ok")).isTrue();
      net.assertNoFork();

      long height = net.node(3).height();
      net.stop(3);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mnt.resolve("n3/ledger.db"));
          ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*), MAX(height) FROM blocks")) {
        r.next();
        assertThat(r.getLong(2)).as("stored head").isGreaterThanOrEqualTo(height);
        assertThat(r.getLong(1)).as("blocks stored without a gap").isEqualTo(r.getLong(2) + 1);
      }
    }
  }

  private HttpResponse<String> health(TestNetwork net, int i) {
    return get(net, i, "/health");
  }

  private JsonObject status(TestNetwork net, int i) {
    return new JsonObject(get(net, i, "/status").body());
  }

  private HttpResponse<String> get(TestNetwork net, int i, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + net.node(i).node.apiPort() + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
