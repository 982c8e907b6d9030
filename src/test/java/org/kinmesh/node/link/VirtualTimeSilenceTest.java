package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;

/**
 * The links time silences on the node's injected clock, not on System.nanoTime: a link whose peer
 * stopped answering is closed as silent as soon as the test clock passes the silence limit, ten
 * virtual minutes that take no real time. Before, the limit ran on the machine's clock and this
 * test could only have waited the ten minutes.
 */
class VirtualTimeSilenceTest {
  static final long HEARTBEAT_MS = 100;
  static final long SILENCE_MS = 600_000;

  final Identity a = TestKeys.key(57);
  final Identity k = TestKeys.key(58);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();
  final ManualTimeSource clock = new ManualTimeSource(System.currentTimeMillis());

  @Test
  void aSilentLinkClosesWhenTheInjectedClockPassesTheSilenceLimit() {
    LinkSettings settings = LinkNode.fast(0).withHeartbeats(HEARTBEAT_MS, SILENCE_MS);
    try (LinkNode na = new LinkNode(a, directory, settings, clock);
        SilentAcceptor silent = new SilentAcceptor(na.vertx, k)) {
      directory.put(k.publicKeyHex(), silent.port());
      na.authorize(1, a, k);
      Await.result(silent.linked.future());
      na.awaitUp(k);

      // Real heartbeats go by unanswered, but the test clock stands still: not silent yet.
      Await.until("three unanswered pings", Duration.ofSeconds(10), () -> silent.pings.get() >= 3);
      assertThat(silent.closeFrame.future().isComplete()).isFalse();
      assertThat(na.links.counters().get(TcpLinks.SILENT_CLOSED)).isZero();

      clock.setMillis(clock.nowMillis() + SILENCE_MS);
      // The next heartbeat (about 100 ms of real time) sees the limit passed.
      Await.until("the silent link closed", Duration.ofSeconds(10), () -> silent.closeFrame.future().isComplete());
      assertThat(silent.closeFrame.future().result()).isEqualTo("1001 silent");
      assertThat(na.links.counters().get(TcpLinks.SILENT_CLOSED)).isEqualTo(1);
    }
  }
}
