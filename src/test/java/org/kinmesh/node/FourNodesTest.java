package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A relay and four nodes, each in its own Vert.x, find each other through the relay and commit blocks. */
class FourNodesTest {
  @TempDir
  Path dir;
  TestNetwork net;

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  void fourNodesReachConsensusThroughTheRelay() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(3);
    assertThat(net.assertNoFork()).containsKey(3L);
    for (TestNetwork.Member m : net.nodes()) {
      assertThat(m.committed).containsKeys(1L, 2L, 3L);
    }
    // On loopback every pair punches a direct UDP path and traffic moves to it (after the 1 s
    // upgrade hold when the relayed path came up first); checked at each new block.
    long h = 3;
    while (!allDirect()) {
      assertThat(h).as("all paths direct within 40 blocks").isLessThan(43);
      net.awaitHeightOnUpNodes(++h);
    }
  }

  private boolean allDirect() {
    for (TestNetwork.Member m : net.nodes()) {
      io.vertx.core.json.JsonArray peers = net.peers(m.index).getJsonArray("peers");
      assertThat(peers).hasSize(3);
      for (Object o : peers) {
        if (!((io.vertx.core.json.JsonObject) o).getString("path").startsWith("direct")) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void fourNodesReachConsensusWithEveryMessageRelayed() throws Exception {
    net = new TestNetwork(dir, 4, (i, json) -> json.put("force_relay", true)).startAll();
    net.awaitHeightOnUpNodes(3);
    assertThat(net.assertNoFork()).containsKey(3L);
    for (TestNetwork.Member m : net.nodes()) {
      for (Object o : net.peers(m.index).getJsonArray("peers")) {
        io.vertx.core.json.JsonObject p = (io.vertx.core.json.JsonObject) o;
        assertThat(p.getString("path")).isEqualTo("relayed");
        assertThat(p.getString("why")).isEqualTo("force_relay policy");
      }
    }
  }
}
