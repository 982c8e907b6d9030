package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pure estimate behind /status's clock_offset_ms. */
class ClockOffsetsTest {
  @Test
  void peersOutvoteOneBadPeerAndTheRelay() {
    ClockOffsets o = new ClockOffsets();
    assertThat(o.estimate(0)).isNull();
    o.add(ClockOffsets.RELAY, 9_000, 0);
    assertThat(o.estimate(0)).isEqualTo(new ClockOffsets.Estimate(9_000, "relay", 1));
    o.add("a", 100, 0);
    o.add("b", -600_000, 0); // a peer whose clock is off says we are far ahead of it
    o.add("c", 200, 0);
    assertThat(o.estimate(0)).isEqualTo(new ClockOffsets.Estimate(100, "peers", 3));
  }

  @Test
  void withTwoMiddleValuesTheOneNearerZeroCounts() {
    ClockOffsets o = new ClockOffsets();
    o.add("a", 0, 0);
    o.add("b", 600_000, 0);
    assertThat(o.estimate(0).offsetMs()).isZero();
  }

  @Test
  void oldSamplesAreForgotten() {
    ClockOffsets o = new ClockOffsets();
    o.add("a", 600_000, 0);
    o.add(ClockOffsets.RELAY, 600_000, 0);
    assertThat(o.estimate(ClockOffsets.MAX_AGE_MS + 1)).isNull();
  }
}
