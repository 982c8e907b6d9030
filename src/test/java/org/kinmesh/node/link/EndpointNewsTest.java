package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * News of a peer's endpoint from gossip (PEER_TABLE_UPDATED) makes the links dial that peer at
 * once. Before, only a UDP punch started and the TCP dial waited for the dialer's back-off timer
 * (here a minute), although the peer's own state, the owner of its path knowledge, had just
 * learned where to reach it.
 */
class EndpointNewsTest {
  static final long BACKOFF_MS = 60_000;

  final Identity a = TestKeys.key(61);
  final Identity b = TestKeys.key(62);
  /** Each node's relay knows only itself: neither can find the other at first. */
  final Map<String, Integer> dirA = new ConcurrentHashMap<>();
  final Map<String, Integer> dirB = new ConcurrentHashMap<>();

  static LinkSettings slowRetry() {
    return LinkNode.fast(0).withRetry(new Backoff(BACKOFF_MS, BACKOFF_MS), new Backoff(BACKOFF_MS, BACKOFF_MS));
  }

  static JsonObject news(Identity peer, int port) {
    JsonObject ep = new JsonObject().put("endpoint", "127.0.0.1:" + port).put("ip", "127.0.0.1").put("port", port);
    return new JsonObject().put("pubkey", peer.publicKeyHex()).put("nat", "unknown")
        .put("endpoints", new JsonArray().add(ep));
  }

  @Test
  void aPeerWhoseEndpointArrivesByGossipIsDialedAtOnceNotAfterItsBackoff() {
    try (LinkNode na = new LinkNode(a, dirA, slowRetry(), TimeSource.SYSTEM);
        LinkNode nb = new LinkNode(b, dirB, slowRetry(), TimeSource.SYSTEM)) {
      na.authorize(1, a, b);
      nb.authorize(1, a, b);
      // Both dialed once, found no endpoint, and now wait a minute to retry.
      Await.until("a backs off from b", Duration.ofSeconds(10),
          () -> "backoff".equals(na.peerStatus(b).getString("state")));
      Await.until("b backs off from a", Duration.ofSeconds(10),
          () -> "backoff".equals(nb.peerStatus(a).getString("state")));

      // Gossip learns where b is.
      na.vertx.eventBus().publish(NodeAddresses.DEFAULT.gossip().peerTableUpdated(), news(b, nb.links.boundPort()));
      Await.until("a linked to b well before its back-off", Duration.ofSeconds(10),
          () -> "connected".equals(na.peerStatus(b).getString("state")));
      assertThat(na.peerStatus(b).getString("direction")).isEqualTo("out");
      assertThat(na.links.counters().get(TcpDialer.DIALS_ON_NEWS)).isEqualTo(1);

      // The same endpoint again (gossip republishes after every score change) is no news.
      na.vertx.eventBus().publish(NodeAddresses.DEFAULT.gossip().peerTableUpdated(), news(b, nb.links.boundPort()));
      na.status();
      assertThat(na.links.counters().get(TcpDialer.DIALS_ON_NEWS)).isEqualTo(1);
    }
  }
}
