package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;
import org.kinmesh.util.TimeSource;

/**
 * Issue 13.6: a node whose clock is 10 minutes off is refused as stale_timestamp by its peers and
 * the relay. It must measure the offset (from the peers' signed hellos, or the relay's Date header
 * when no peer is reachable) and say so in /status; the nodes with a good clock must not.
 */
class ClockOffsetTest {
  static final long SKEW_MS = 10 * 60_000L;

  @TempDir
  Path dir;

  /**
   * Four minutes ahead: inside the 300 s window, so links still come up, but past its half, where
   * the node must warn before it is cut off. The peers' signed hellos are the measure.
   */
  @Test
  void aNodeFourMinutesAheadLearnsItFromItsPeersBeforeItIsRefused() throws Exception {
    long skew = 4 * 60_000L;
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.nodeClock = i -> i == 3 ? skewed(skew) : net.clock;
      net.startAll();
      net.awaitHeight(0, 3);
      Await.until("node 3 measures its clock against its peers", Duration.ofSeconds(30),
          () -> clockOf(net, 3).getString("clock_offset_source", "").equals("peers")
              && clockOf(net, 3).getInteger("clock_offset_samples") >= 2);
      JsonObject s = clockOf(net, 3);
      assertThat(s.getLong("clock_offset_ms")).isBetween(skew - 5_000, skew + 5_000);
      assertThat(s.getBoolean("clock_ok")).isFalse();
      // node 0 heard node 3's hello too, but the other two outvote it
      Await.until("node 0 measures its clock", Duration.ofSeconds(30),
          () -> clockOf(net, 0).getInteger("clock_offset_samples", 0) >= 2);
      assertThat(Math.abs(clockOf(net, 0).getLong("clock_offset_ms"))).isLessThan(5_000);
      assertThat(clockOf(net, 0).getBoolean("clock_ok")).isTrue();
    }
  }

  /** Ten minutes ahead: peers refuse its hellos and never find it, the relay refuses it; its Date header tells. */
  @Test
  void aNodeTenMinutesAheadLearnsItFromTheRelay() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.nodeClock = i -> i == 3 ? skewed(SKEW_MS) : net.clock;
      net.startAll();
      Await.until("node 3 measures its clock", Duration.ofSeconds(30),
          () -> clockOf(net, 3).containsKey("clock_offset_ms"));
      JsonObject s = clockOf(net, 3);
      assertThat(s.getLong("clock_offset_ms")).isBetween(SKEW_MS - 5_000, SKEW_MS + 5_000);
      assertThat(s.getBoolean("clock_ok")).isFalse();
      net.awaitHeight(0, 3); // the three others go on
    }
  }

  @Test
  void aLoneNodeTenMinutesBehindLearnsItFromTheRelay() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 1)) {
      net.nodeClock = i -> skewed(-SKEW_MS);
      net.startAll();
      Await.until("the node measures its clock against the relay", Duration.ofSeconds(30),
          () -> clockOf(net, 0).containsKey("clock_offset_ms"));
      JsonObject s = clockOf(net, 0);
      assertThat(s.getString("clock_offset_source")).isEqualTo("relay");
      assertThat(s.getLong("clock_offset_ms")).isBetween(-SKEW_MS - 5_000, -SKEW_MS + 5_000);
      assertThat(s.getBoolean("clock_ok")).isFalse();
    }
  }

  private static TimeSource skewed(long ms) {
    return () -> System.currentTimeMillis() + ms;
  }

  private static JsonObject clockOf(TestNetwork net, int i) {
    return TestNetwork.await(net.node(i).vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.clock().status(),
        new JsonObject()), TestNetwork.WAIT).body();
  }
}
