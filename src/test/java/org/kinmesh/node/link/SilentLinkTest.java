package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * A TCP link whose peer stops answering is closed by us after the configured silence, the
 * peer goes down and is dialed again, and a new link from it is accepted. Before, the socket
 * stayed until the OS gave up on it (~15 min) and a new link from the peer was a duplicate.
 */
class SilentLinkTest {
  static final long HEARTBEAT_MS = 200;
  static final long SILENCE_MS = 1_000;

  final Identity a = TestKeys.key(51);
  final Identity k = TestKeys.key(52);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();

  static LinkSettings quick() {
    return LinkNode.fast(0).withHeartbeats(HEARTBEAT_MS, SILENCE_MS);
  }

  @Test
  void aSilentLinkIsClosedThePeerRedialedAndANewLinkFromItAccepted() throws Exception {
    try (LinkNode na = new LinkNode(a, directory, quick(), TimeSource.SYSTEM);
        SilentAcceptor silent = new SilentAcceptor(na.vertx, k)) {
      directory.put(k.publicKeyHex(), silent.port());
      na.authorize(1, a, k);
      Await.result(silent.linked.future());
      na.awaitUp(k);
      na.eventsSoFar();

      assertThat(Await.result(silent.closeFrame.future())).isEqualTo("1001 silent");
      assertThat(silent.pings.get()).as("it was pinged and never answered").isGreaterThanOrEqualTo(2);
      assertThat(na.links.counters().get(TcpLinks.SILENT_CLOSED)).isEqualTo(1);
      na.events.next(e -> k.publicKeyHex().equals(e.getString("pubkey")) && "down".equals(e.getString("event")));
      // Re-dialed at once: not after the OS gave up on the socket, nor after our close timed out.
      Await.result(silent.redialed.future());
      assertThat(silent.firstClosed.future().isComplete()).as("the silent socket is still closing").isFalse();

      // The peer is back (say, woke up) and dials us: its link is the peer's link now.
      RawPeer back = new RawPeer(na.vertx, k, na.links.boundPort());
      back.send(back.helloFor(back.serverHello(), LinkNode.CHAIN, TimeSource.SYSTEM.nowSeconds()).toJson().encode());
      assertThat(back.nextFrame()).isEqualTo(DataFrame.READY);
      na.awaitUp(k);
      assertThat(na.peerStatus(k).getString("direction")).isEqualTo("in");
      na.send(k, "after the silence");
      assertThat(DataFrame.payload(back.nextFrame(), 1 << 20)).isEqualTo("after the silence");
      assertThat(na.links.counters().get(Rejection.DUPLICATE)).isZero();
    }
  }

  @Test
  void aHealthyIdleLinkWithTheSameShortSilenceStaysOpen() {
    Identity b = TestKeys.key(53);
    try (LinkNode na = new LinkNode(a, directory, quick(), TimeSource.SYSTEM);
        LinkNode nb = new LinkNode(b, directory, quick(), TimeSource.SYSTEM)) {
      na.authorize(1, a, b);
      nb.authorize(1, a, b);
      na.awaitUp(b);
      nb.awaitUp(a);
      na.eventsSoFar();

      // Idle for several silences (a Vert.x timer, not a sleep): the pongs keep it open.
      Promise<Void> quiet = Promise.promise();
      na.vertx.setTimer(4 * SILENCE_MS, id -> quiet.complete());
      Await.result(quiet.future());

      assertThat(na.links.counters().get(TcpLinks.SILENT_CLOSED)).isZero();
      assertThat(nb.links.counters().get(TcpLinks.SILENT_CLOSED)).isZero();
      assertThat(na.eventsSoFar()).noneMatch(e -> "down".equals(e.getString("event")));
      na.send(b, "still here");
      assertThat(nb.nextInbound().getString("payload")).isEqualTo("still here");
    }
  }
}
