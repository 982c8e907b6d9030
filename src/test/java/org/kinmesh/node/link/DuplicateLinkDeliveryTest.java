package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * The higher key's side of a double dial: the peer (lower key) adopted our dial, said ready and
 * sent on it at once; we already have the peer's link, so ours is the duplicate. What the peer
 * sent before it saw our close must still arrive.
 */
class DuplicateLinkDeliveryTest {
  final Identity low = TestKeys.key(21);
  final Identity high = TestKeys.key(22);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();
  final Vertx testVertx = Vertx.vertx();
  RawAcceptor ourDial;
  LinkNode node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
    ourDial.close();
    Await.result(testVertx.close());
  }

  @Test
  void framesTheOtherSideSentOnTheDuplicateBeforeItsCloseAreDelivered() throws Exception {
    assertThat(low.publicKeyHex()).isLessThan(high.publicKeyHex());
    ourDial = new RawAcceptor(testVertx, low);
    directory.put(low.publicKeyHex(), ourDial.port());
    node = new LinkNode(high, directory);
    node.authorize(1, low, high);
    assertThat(Hello.parse(ourDial.nextFrame()).role()).isEqualTo(Hello.DIAL);

    // The peer's own dial: the one both keep (the lower key dialed it).
    RawPeer kept = new RawPeer(testVertx, low, node.links.boundPort());
    kept.send(kept.helloFor(kept.serverHello(), LinkNode.CHAIN, TimeSource.SYSTEM.nowSeconds()).toJson().encode());
    assertThat(kept.nextFrame()).contains("ready");
    node.awaitUp(low);

    // The peer had adopted our dial too: it says ready and sends on it before it sees our close.
    ourDial.sendTogether(DataFrame.READY, DataFrame.encode("sent on the duplicate"));
    assertThat(Await.result(ourDial.closed.future())).isEqualTo("1000 duplicate");
    assertThat(node.nextInbound().getString("payload")).isEqualTo("sent on the duplicate");
    assertThat(node.peerStatus(low).getString("direction")).as("the peer's link stays").isEqualTo("in");
    assertThat(node.links.counters().get(Rejection.DUPLICATE)).isEqualTo(1);
  }
}
