package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.kinmesh.util.ManualTimeSource;

class RateLimiterTest {
  final ManualTimeSource clock = new ManualTimeSource(1_000_000);

  @Test
  void allowsTheLimitThenRefusesUntilTheOldestSecondLeaves() {
    RateLimiter limiter = new RateLimiter(60, 100, clock);
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    }
    RateLimiter.Decision refused = limiter.tryAcquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSecs()).isEqualTo(61);
    assertThat(limiter.tryAcquire("b").allowed()).as("keys are independent").isTrue();
    clock.advanceSeconds(60);
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    clock.advanceSeconds(1);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
  }

  @Test
  void aQuietSpellDoesNotBuyABurstOverTheLimit() {
    RateLimiter limiter = new RateLimiter(10, 100, clock);
    int passed = 0;
    for (int second = 0; second < 120; second++) {
      for (int i = 0; i < 3; i++) {
        if (limiter.tryAcquire("a").allowed()) {
          passed++;
        }
      }
      clock.advanceSeconds(1);
    }
    assertThat(passed).isLessThanOrEqualTo(20); // 10 per 61 s over 120 s
  }

  @Test
  void retryAfterIsWhenTheFirstRequestsLeave() {
    RateLimiter limiter = new RateLimiter(2, 100, clock);
    limiter.tryAcquire("a");
    clock.advanceSeconds(10);
    limiter.tryAcquire("a");
    RateLimiter.Decision d = limiter.tryAcquire("a");
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterSecs()).isEqualTo(51);
    clock.advanceSeconds(50);
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    clock.advanceSeconds(1);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
  }

  @Test
  void tableIsBoundedAndIdleKeysAreDropped() {
    RateLimiter limiter = new RateLimiter(10, 3, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    limiter.tryAcquire("c");
    assertThat(limiter.tryAcquire("d").allowed()).as("full of busy keys").isFalse();
    assertThat(limiter.size()).isEqualTo(3);
    clock.advanceSeconds(61);
    assertThat(limiter.tryAcquire("d").allowed()).as("idle keys evicted to make room").isTrue();
    assertThat(limiter.size()).isEqualTo(1);
  }

  /** Whatever the arrival pattern, no 60-second window ever holds more than the limit. */
  @Property(tries = 200)
  void neverMoreThanTheLimitInAnySixtySecondWindow(
      @ForAll @Size(min = 1, max = 400) java.util.List<@IntRange(min = 0, max = 3000) Integer> gapsMillis,
      @ForAll @IntRange(min = 1, max = 20) int limit) {
    ManualTimeSource t = new ManualTimeSource(5_000_000);
    RateLimiter limiter = new RateLimiter(limit, 10, t);
    Deque<Long> accepted = new ArrayDeque<>();
    long now = 5_000_000;
    for (int gap : gapsMillis) {
      now += gap;
      t.setMillis(now);
      if (limiter.tryAcquire("k").allowed()) {
        accepted.addLast(now);
        while (accepted.peekFirst() <= now - 60_000) {
          accepted.removeFirst();
        }
        assertThat(accepted.size()).isLessThanOrEqualTo(limit);
      }
    }
  }
}
