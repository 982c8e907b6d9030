package org.kinmesh.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class JitterProperties {

  @Property(tries = 2000)
  void aJitteredDelayStaysWithinItsFractionAndAboveZero(@ForAll long seed,
      @ForAll @LongRange(min = 0, max = 86_400_000) long base, @ForAll @DoubleRange(min = 0, max = 1) double fraction) {
    long spread = (long) (base * fraction);
    long d = Jitter.around(base, fraction, new SplittableRandom(seed));
    assertThat(d).isBetween(Math.max(1, base - spread), Math.max(1, base + spread));
    assertThat(d).isEqualTo(Jitter.around(base, fraction, new SplittableRandom(seed)));
  }

  @Test
  void noFractionMeansTheBaseAndANegativeFractionIsRefused() {
    assertThat(Jitter.around(5_000, 0, new SplittableRandom(1))).isEqualTo(5_000);
    assertThat(Jitter.around(0, 0.5, new SplittableRandom(1))).isEqualTo(1);
    assertThatThrownBy(() -> Jitter.around(5_000, -0.1, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fraction");
    assertThatThrownBy(() -> Jitter.around(5_000, Double.NaN, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
