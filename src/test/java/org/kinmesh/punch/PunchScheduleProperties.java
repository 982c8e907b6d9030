package org.kinmesh.punch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The punch schedule for any seed and any round: quick rounds exact, back-off within its jitter. */
class PunchScheduleProperties {

  @Property(tries = 2000)
  void everyDelayStaysInsideItsBounds(@ForAll long seed, @ForAll @IntRange(min = 0, max = 10_000) int rounds) {
    long d = PunchAttempt.delayAfter(rounds, new SplittableRandom(seed));
    if (rounds < PunchAttempt.QUICK_ROUNDS) {
      assertThat(d).isEqualTo(PunchAttempt.QUICK_INTERVAL_MS);
      return;
    }
    long step = Math.min(PunchAttempt.MAX_BACKOFF_MS, 1_000L << Math.min(rounds - PunchAttempt.QUICK_ROUNDS, 4));
    long spread = (long) (step * PunchAttempt.BACKOFF_JITTER);
    assertThat(PunchAttempt.stepAfter(rounds)).isEqualTo(step);
    assertThat(d).isBetween(step - spread, step + spread);
  }

  @Property(tries = 500)
  void theSameSeedGivesTheSameDelay(@ForAll long seed, @ForAll @IntRange(min = 0, max = 100) int rounds) {
    assertThat(PunchAttempt.delayAfter(rounds, new SplittableRandom(seed)))
        .isEqualTo(PunchAttempt.delayAfter(rounds, new SplittableRandom(seed)));
  }
}
