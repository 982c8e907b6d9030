package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.cli.Main;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

/**
 * Issue 17: `kinmesh status` against four live nodes, D with force_relay and C stopped: one screen
 * with chain, quorum (C missing), this node's standing, and one line per peer with its path and,
 * for every peer not direct, why; --json ends with the gathered object; -conf finds the API from
 * data_dir/api.port; a node that is down is a clear error.
 */
class StatusCommandNetworkTest {
  /** Captures each command alone ({@link StdCapture#during}); the nodes log to stderr. */
  final StdCapture std = new StdCapture();
  @TempDir
  Path dir;

  @Test
  void oneScreenWithARelayedPeerADownPeerAndTheirReasons() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4, (i, json) -> json.put("force_relay", i == 3))) {
      net.startAll();
      net.awaitHeightOnUpNodes(2);
      String c = net.node(2).key();
      String d = net.node(3).key();
      String cUrl = "http://127.0.0.1:" + net.node(2).node.apiPort();
      GenesisMismatchTest.untilBlocks(net, () ->
          "relayed".equals(GenesisMismatchTest.peer(net.peers(0), d).getString("path")));
      net.stop(2);
      Await.until("node 0 sees C down", Duration.ofSeconds(60),
          () -> "none".equals(GenesisMismatchTest.peer(net.peers(0), c).getString("path")));
      String url = "http://127.0.0.1:" + net.node(0).node.apiPort();

      assertThat(std.during(() -> Main.run("status", "--node", url, "--json"))).as(std.err()).isZero();
      List<String> lines = Arrays.asList(std.out().split("\n"));
      JsonObject g = new JsonObject(lines.get(lines.size() - 1));
      assertThat(g.getString("self")).isEqualTo(net.node(0).key());
      assertThat(g.getJsonObject("chain").getLong("height")).isPositive();
      assertThat(g.getJsonObject("chain").getLong("head_age_secs")).isNotNull();
      assertThat(g.getJsonObject("standing").getString("status")).isEqualTo("active");
      assertThat(g.getJsonObject("standing").getBoolean("voting")).isTrue();
      JsonObject cLine = peer(g, c);
      JsonObject dLine = peer(g, d);
      // Payload bytes each way: consensus talked to every peer before C stopped.
      assertThat(cLine.getLong("bytes_in")).isPositive();
      assertThat(dLine.getLong("bytes_out")).isPositive();
      assertThat(cLine.getString("path")).isEqualTo("down");
      assertThat(cLine.getString("reason")).isEqualTo("down");
      assertThat(dLine.getString("path")).isEqualTo("relayed");
      assertThat(dLine.getString("reason")).isEqualTo("peer_force_relay");
      assertThat(g.getJsonObject("quorum").getJsonArray("missing").getList()).containsExactly(cLine.getString("name"));
      String screen = std.out();
      assertThat(screen).contains("quorum", "missing: " + cLine.getString("name"), "self    active", "voting");
      assertThat(lines.stream().filter(l -> l.startsWith(dLine.getString("name"))).findFirst().orElseThrow())
          .contains("relayed", "peer_force_relay");
      assertThat(lines.stream().filter(l -> l.startsWith(cLine.getString("name"))).findFirst().orElseThrow())
          .contains("down");
      for (JsonObject p : peers(g)) {
        assertThat(p.getValue("reason") == null).as(p.encode()).isEqualTo(p.getString("path").startsWith("direct"));
      }
      // Kept for docs/node.md and for a person reading a failed run.
      Files.writeString(Path.of("target", "status-output.txt"), screen);

      // -conf: the API port the node wrote to data_dir/api.port.
      Path conf = dir.resolve("n0.json");
      Files.writeString(conf, new JsonObject().put("identity_path", "unused")
          .put("genesis_path", net.node(0).config.genesisPath().toString())
          .put("data_dir", net.node(0).config.dataDir().toString()).put("api_listen", "127.0.0.1:0")
          .put("relay_url", net.relayUrl()).encode());
      assertThat(std.during(() -> Main.run("status", "-conf", conf.toString(), "--json"))).as(std.err()).isZero();
      String[] again = std.out().split("\n");
      assertThat(new JsonObject(again[again.length - 1]).getString("self")).isEqualTo(net.node(0).key());

      // The stopped node: a clear error, not a screen.
      assertThat(std.during(() -> Main.run("status", "--node", cUrl))).isEqualTo(1);
      assertThat(std.err()).contains("cannot reach node at " + cUrl, "is it running?");
      assertThat(std.during(() -> Main.run("status", "--node", url, "-conf", conf.toString()))).isEqualTo(2);
      assertThat(std.err()).contains("not both");
    }
  }

  private static List<JsonObject> peers(JsonObject g) {
    return g.getJsonArray("peers").stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject peer(JsonObject g, String key) {
    return peers(g).stream().filter(p -> key.equals(p.getString("pubkey"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in " + g.encode()));
  }
}
