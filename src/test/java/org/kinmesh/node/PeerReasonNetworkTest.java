package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;

/**
 * Issue 17: /peers said a peer was relayed or gone only in prose ("why"); a status tool needs a
 * machine-readable reason for every peer that is not direct. Four live nodes, D with force_relay:
 * D's peers say peer_force_relay, D says force_relay; once C stops, the others say down.
 */
class PeerReasonNetworkTest {
  @TempDir
  Path dir;

  @Test
  void relayedAndDownPeersCarryAMachineReadableReason() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4, (i, json) -> json.put("force_relay", i == 3))) {
      net.startAll();
      net.awaitHeightOnUpNodes(2);
      String c = net.node(2).key();
      String d = net.node(3).key();
      GenesisMismatchTest.untilBlocks(net, () -> {
        for (int i = 0; i < 3; i++) {
          if (!"relayed".equals(GenesisMismatchTest.peer(net.peers(i), d).getString("path"))) {
            return false;
          }
        }
        return true;
      });
      for (int i = 0; i < 3; i++) {
        JsonObject p = GenesisMismatchTest.peer(net.peers(i), d);
        assertThat(p.getString("reason")).as("node %d's view of D: %s", i, p.encode()).isEqualTo("peer_force_relay");
      }
      for (Object o : net.peers(3).getJsonArray("peers")) {
        JsonObject p = (JsonObject) o;
        assertThat(p.getString("reason")).as(p.encode()).isEqualTo("force_relay");
      }
      net.stop(2);
      Await.until("node 0 sees C down with a reason", Duration.ofSeconds(60), () -> {
        JsonObject p = GenesisMismatchTest.peer(net.peers(0), c);
        return "none".equals(p.getString("path")) && "down".equals(p.getString("reason"));
      });
      // Direct peers carry no reason: A and B still reach each other directly.
      JsonObject b = GenesisMismatchTest.peer(net.peers(0), net.node(1).key());
      if (b.getString("path").startsWith("direct")) {
        assertThat(b.getValue("reason")).as(b.encode()).isNull();
      }
    }
  }
}
