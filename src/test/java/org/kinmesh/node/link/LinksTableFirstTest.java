package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * The links ask the peer table first and the relay second: a stale table endpoint fails, is
 * reported to the table, and the next dial takes the relay's, which works and is reported too.
 * The peer table here is a stand-in answering one fixed (dead) endpoint, as LinkNode's relay is.
 */
class LinksTableFirstTest {
  final Identity a = TestKeys.key(31);
  final Identity b = TestKeys.key(32);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();
  LinkNode na;
  LinkNode nb;

  @AfterEach
  void close() {
    if (na != null) {
      na.close();
    }
    if (nb != null) {
      nb.close();
    }
  }

  @Test
  void aFailedTableEndpointFallsBackToTheRelayAndBothOutcomesAreReported() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort(); // closed below: dialing it is refused
    }
    na = new LinkNode(a, directory, LinkNode.fast(0), TimeSource.SYSTEM);
    nb = new LinkNode(b, directory, LinkNode.fast(0), TimeSource.SYSTEM);
    directory.remove(a.publicKeyHex()); // only a can dial: b finds no endpoint for a anywhere
    int deadPort = dead;
    Await.result(na.vertx.eventBus().<JsonObject>localConsumer(NodeAddresses.DEFAULT.gossip().peerTableQuery(), m -> {
      if (b.publicKeyHex().equals(m.body().getString("pubkey"))) {
        m.reply(new JsonObject().put("pubkey", b.publicKeyHex()).put("endpoints", new JsonArray()
            .add(new JsonObject().put("endpoint", "127.0.0.1:" + deadPort).put("ip", "127.0.0.1").put("port", deadPort))));
      } else {
        m.fail(404, "{\"error\":\"not_found\",\"message\":\"none\"}");
      }
    }).completion());
    try (Events reports = new Events(na.vertx, NodeAddresses.DEFAULT.gossip().peerEndpointResult())) {
      na.authorize(1, a, b);
      nb.authorize(1, a, b);
      JsonObject first = reports.next();
      assertThat(first.getString("pubkey")).isEqualTo(b.publicKeyHex());
      assertThat(first.getString("endpoint")).isEqualTo("127.0.0.1:" + deadPort);
      assertThat(first.getBoolean("ok")).isFalse();
      assertThat(first.getString("source")).isEqualTo("table");
      JsonObject second = reports.next();
      assertThat(second.getString("endpoint")).isEqualTo("127.0.0.1:" + directory.get(b.publicKeyHex()));
      assertThat(second.getBoolean("ok")).isTrue();
      assertThat(second.getString("source")).isEqualTo("relay");
      na.awaitUp(b);
    }
  }
}
