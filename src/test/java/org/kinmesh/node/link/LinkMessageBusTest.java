package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * Link payloads cross the event bus as a typed {@link LinkMessage} holding the payload bytes (no
 * JSON object wrapping a JSON string): what one node's verticle hands its links arrives at the
 * peer's consumers as the same bytes, with the link's authenticated sender.
 */
class LinkMessageBusTest {
  final Identity a = TestKeys.key(41);
  final Identity b = TestKeys.key(42);
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
  void aSentAndABroadcastPayloadArriveAsTheSameBytesInALinkMessage() {
    na = new LinkNode(a, directory, LinkNode.fast(0), TimeSource.SYSTEM);
    nb = new LinkNode(b, directory, LinkNode.fast(0), TimeSource.SYSTEM);
    na.authorize(1, a, b);
    nb.authorize(1, a, b);
    na.awaitUp(b);
    nb.awaitUp(a);

    byte[] sent = "{\"pbft\":\"prepare\",\"note\":\"ünïcødé ✓\"}".getBytes(StandardCharsets.UTF_8);
    Object got = next(nb, () -> na.vertx.eventBus().send(NodeAddresses.DEFAULT.links().send(), LinkMessage.to(b.publicKeyHex(), sent)));
    assertThat(got).isInstanceOf(LinkMessage.class);
    LinkMessage m = (LinkMessage) got;
    assertThat(m.peer()).as("the link's authenticated sender").isEqualTo(a.publicKeyHex());
    assertThat(m.payload()).isEqualTo(sent);

    byte[] all = "{\"forward_txs\":[]}".getBytes(StandardCharsets.UTF_8);
    LinkMessage b2 = (LinkMessage) next(nb, () -> na.vertx.eventBus().send(NodeAddresses.DEFAULT.links().broadcast(),
        LinkMessage.broadcast(all)));
    assertThat(b2.peer()).isEqualTo(a.publicKeyHex());
    assertThat(b2.payload()).isEqualTo(all);
  }

  /** The next body published on the node's LINKS_INBOUND after {@code trigger}, whatever its type. */
  private static Object next(LinkNode n, Runnable trigger) {
    Promise<Object> p = Promise.promise();
    var c = n.vertx.eventBus().consumer(NodeAddresses.DEFAULT.links().inbound(), msg -> p.tryComplete(msg.body()));
    Await.result(c.completion());
    trigger.run();
    try {
      return Await.result(p.future());
    } finally {
      c.unregister();
    }
  }
}
