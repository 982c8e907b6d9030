package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The adaptive view timeouts: bounded, above what the family sees, the same for the same history. */
class AdaptiveViewTimeoutProperties {
  private static final PbftConfig DEFAULTS = PbftConfig.defaults("prop-chain");

  @Property
  void timeoutsStayWithinTheirBoundsAndDoubleUpToTheCap(
      @ForAll @Size(max = 300) List<@LongRange(min = 0, max = 100_000) Long> latencies,
      @ForAll @IntRange(min = 0, max = 20) int consecutive, @ForAll boolean busy) {
    AdaptiveViewTimeout t = new AdaptiveViewTimeout(DEFAULTS);
    latencies.forEach(t::observe);
    assertThat(t.margin()).isBetween(AdaptiveViewTimeout.FLOOR_MS, DEFAULTS.viewTimeoutMs());
    long base = t.height(busy, 0);
    assertThat(base).isLessThanOrEqualTo(DEFAULTS.viewTimeoutMs());
    assertThat(t.height(busy, consecutive)).isEqualTo(Math.min(DEFAULTS.maxViewTimeoutMs(),
        base * (1L << Math.min(consecutive, 20))));
    assertThat(t.newView(consecutive)).isLessThanOrEqualTo(DEFAULTS.maxViewTimeoutMs());
  }

  /** No spurious view change: the timer of a busy height outlasts the proposal wait plus K x p95 of what it saw. */
  @Property
  void aHeightWaitsLongerThanTheProposalWaitPlusWhatCommitsTook(
      @ForAll @Size(min = 8, max = 300) List<@LongRange(min = 0, max = 1_000) Long> latencies) {
    AdaptiveViewTimeout t = new AdaptiveViewTimeout(DEFAULTS);
    latencies.forEach(t::observe);
    long p95 = t.p95();
    assertThat(t.height(true, 0)).isGreaterThanOrEqualTo(
        Math.min(DEFAULTS.viewTimeoutMs(), DEFAULTS.blockIntervalMs() + AdaptiveViewTimeout.K * p95));
    assertThat(t.height(false, 0)).isGreaterThan(DEFAULTS.emptyBlockIntervalMs());
  }

  /** Replicas that saw the same blocks in another order (other arrival times) agree: the rule converges. */
  @Property
  void theEstimateDependsOnTheLatenciesNotTheirOrder(
      @ForAll @Size(min = 0, max = AdaptiveViewTimeout.WINDOW) List<@LongRange(min = 0, max = 20_000) Long> latencies,
      @ForAll long seed) {
    List<Long> shuffled = new ArrayList<>(latencies);
    Collections.shuffle(shuffled, new Random(seed));
    AdaptiveViewTimeout a = new AdaptiveViewTimeout(DEFAULTS);
    AdaptiveViewTimeout b = new AdaptiveViewTimeout(DEFAULTS);
    latencies.forEach(a::observe);
    shuffled.forEach(b::observe);
    assertThat(a.height(true, 0)).isEqualTo(b.height(true, 0));
    assertThat(a.newView(0)).isEqualTo(b.newView(0));
  }

  /** Old latencies age out: after a slow period, a window of fast blocks brings the timeout back down. */
  @Property
  void itFollowsTheLatencyOfTheLastWindow(@ForAll @LongRange(min = 2_500, max = 50_000) long slow,
      @ForAll @LongRange(min = 0, max = 200) long fast) {
    AdaptiveViewTimeout t = new AdaptiveViewTimeout(DEFAULTS);
    for (int i = 0; i < AdaptiveViewTimeout.WINDOW; i++) {
      t.observe(slow);
    }
    assertThat(t.margin()).isEqualTo(DEFAULTS.viewTimeoutMs());
    for (int i = 0; i < AdaptiveViewTimeout.WINDOW; i++) {
      t.observe(fast);
    }
    assertThat(t.margin()).isEqualTo(Math.max(AdaptiveViewTimeout.FLOOR_MS, AdaptiveViewTimeout.K * fast));
  }

  @Test
  void loopbackLatenciesGiveADeadPrimaryUnderThreeSecondsWithTheDefaults() {
    AdaptiveViewTimeout t = new AdaptiveViewTimeout(DEFAULTS);
    assertThat(t.height(true, 0)).as("cold start: the old fixed value").isEqualTo(DEFAULTS.viewTimeoutMs());
    for (int i = 0; i < 50; i++) {
      t.observe(5 + i % 20);
    }
    assertThat(t.height(true, 0)).isEqualTo(2_000);
    assertThat(t.height(false, 0)).isEqualTo(6_000);
    assertThat(t.newView(0)).isEqualTo(1_000);
  }
}
