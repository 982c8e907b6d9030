package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ReplayWindowProperties {

  /**
   * The window against its definition: a counter is accepted iff it was never accepted and is
   * above (highest accepted - SIZE). Counters drawn near each other so that duplicates, jumps
   * and the window's edge all occur.
   */
  @Property(tries = 300)
  void acceptsExactlyWhatTheDefinitionAccepts(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 5000) Integer> counters) {
    ReplayWindow w = new ReplayWindow();
    Set<Long> seen = new HashSet<>();
    long top = -1;
    for (int c : counters) {
      boolean expected = !seen.contains((long) c) && c > top - ReplayWindow.SIZE;
      boolean fresh = w.check(c) == ReplayWindow.Verdict.FRESH;
      assertThat(fresh).as("counter %d with highest %d", c, top).isEqualTo(expected);
      if (fresh) {
        w.accept(c);
        seen.add((long) c);
        top = Math.max(top, c);
      }
    }
  }

  @Property(tries = 200)
  void neverAcceptsADuplicate(@ForAll @Size(max = 300) List<@LongRange(min = 0, max = 1L << 40) Long> counters,
      @ForAll long seed) {
    List<Long> stream = new ArrayList<>(counters);
    stream.addAll(counters); // every counter twice
    Collections.shuffle(stream, new Random(seed));
    ReplayWindow w = new ReplayWindow();
    Set<Long> accepted = new HashSet<>();
    for (long c : stream) {
      if (w.check(c) == ReplayWindow.Verdict.FRESH) {
        w.accept(c);
        assertThat(accepted.add(c)).as("counter %d accepted twice", c).isTrue();
      }
    }
  }

  /** Any order of SIZE consecutive counters, from any start, is accepted whole. */
  @Property(tries = 100)
  void acceptsAnyReorderingWithinTheWindow(@ForAll @LongRange(min = 0, max = 1L << 50) long base,
      @ForAll long seed) {
    List<Long> counters = new ArrayList<>();
    for (long i = 0; i < ReplayWindow.SIZE; i++) {
      counters.add(base + i);
    }
    Collections.shuffle(counters, new Random(seed));
    ReplayWindow w = new ReplayWindow();
    for (long c : counters) {
      assertThat(w.check(c)).as("counter %d", c).isEqualTo(ReplayWindow.Verdict.FRESH);
      w.accept(c);
    }
    for (long c : counters) {
      assertThat(w.check(c)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
    }
  }

  @Property(tries = 200)
  void refusesEverythingBelowTheWindow(@ForAll @LongRange(min = ReplayWindow.SIZE, max = 1L << 50) long top,
      @ForAll @LongRange(min = 0, max = 1L << 50) long below) {
    ReplayWindow w = new ReplayWindow();
    w.accept(top);
    long old = Math.max(0, top - ReplayWindow.SIZE - (below % (top - ReplayWindow.SIZE + 1)));
    assertThat(w.check(old)).isEqualTo(ReplayWindow.Verdict.TOO_OLD);
    assertThat(w.check(top - ReplayWindow.SIZE + 1)).isEqualTo(ReplayWindow.Verdict.FRESH);
  }

  @Test
  void anUnfreshCounterCannotBeMarked() {
    ReplayWindow w = new ReplayWindow();
    w.accept(5);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.accept(5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not fresh");
    assertThat(w.check(-1)).isEqualTo(ReplayWindow.Verdict.TOO_OLD);
  }
}
