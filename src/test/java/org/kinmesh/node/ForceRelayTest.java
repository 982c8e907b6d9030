package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12.7: with force_relay on node D, node A still reached D over a direct TCP link (A's
 * /peers said direct_tcp), so D's address was used and exposed anyway. The policy must hold both
 * ways: every peer reaches D through the relay only and says why, and D's endpoint is in no
 * peer's table (D announces none and registers none), while consensus goes on.
 */
class ForceRelayTest {
  @TempDir
  Path dir;

  @Test
  void aForceRelayNodeIsRelayedBothWaysAndItsEndpointIsNowhere() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4, (i, json) -> json.put("force_relay", i == 3))) {
      net.startAll();
      net.awaitHeightOnUpNodes(2);
      String d = net.node(3).key();
      GenesisMismatchTest.untilBlocks(net, () -> {
        for (int i = 0; i < 3; i++) {
          JsonObject p = GenesisMismatchTest.peer(net.peers(i), d);
          if (!"relayed".equals(p.getString("path")) || !"peer_force_relay".equals(p.getString("policy"))) {
            return false;
          }
        }
        return true;
      });
      long h = net.maxHeight();
      net.awaitHeightOnUpNodes(h + 3);
      int dPort = net.node(3).node.udpPort();
      for (int i = 0; i < 3; i++) {
        JsonObject p = GenesisMismatchTest.peer(net.peers(i), d);
        assertThat(p.getString("path")).as("node %d's path to D: %s", i, p.encode()).isEqualTo("relayed");
        assertThat(p.getString("why")).isEqualTo("peer_force_relay");
        assertThat(p.getString("endpoint")).isNull();
        assertThat(p.getString("direction")).as("no TCP link either way").isNull();
        // Nothing gave this peer an address for D: no gossip announce, no relay registration.
        assertThat(failureCode(net, i, NodeAddresses.DEFAULT.gossip().peerTableQuery(), d)).as("D in node %d's peer table", i)
            .isEqualTo(404);
        assertThat(failureCode(net, i, NodeAddresses.DEFAULT.relayClient().lookup(), d)).as("D at the relay").isEqualTo(404);
        assertThat(net.peers(i).encode()).doesNotContain(":" + dPort + "\"");
      }
      // D's own view: everyone relayed, by its own policy.
      for (Object o : net.peers(3).getJsonArray("peers")) {
        JsonObject p = (JsonObject) o;
        assertThat(p.getString("path")).as(p.encode()).isEqualTo("relayed");
        assertThat(p.getString("policy")).isEqualTo("force_relay");
      }
      net.assertNoFork();
    }
  }

  /** The failure code of a request on node i's event bus ({"pubkey": key}); 0 if it succeeded. */
  private static int failureCode(TestNetwork net, int i, String address, String key) throws Exception {
    try {
      net.node(i).vertx.eventBus().request(address, new JsonObject().put("pubkey", key))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return 0;
    } catch (ExecutionException e) {
      return e.getCause() instanceof ReplyException r ? r.failureCode() : -1;
    }
  }
}
