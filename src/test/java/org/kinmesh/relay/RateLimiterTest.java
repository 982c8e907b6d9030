package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kinmesh.util.ManualTimeSource;

class RateLimiterTest {
  final ManualTimeSource clock = new ManualTimeSource(0);

  @Test
  void allowsTheBudgetThenRefusesWithTheWaitUntilOneMorePasses() {
    RateLimiter limiter = new RateLimiter(60, 100, clock);
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    }
    RateLimiter.Decision refused = limiter.tryAcquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSecs()).isEqualTo(1);
    assertThat(limiter.tryAcquire("b").allowed()).isTrue();
    clock.advanceSeconds(1);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
  }

  @Test
  void refillsToTheBudgetAndNoFurther() {
    RateLimiter limiter = new RateLimiter(10, 100, clock);
    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire("a");
    }
    clock.advanceSeconds(3600);
    int passed = 0;
    while (limiter.tryAcquire("a").allowed()) {
      passed++;
    }
    assertThat(passed).isEqualTo(10);
  }

  @Test
  void tableIsBoundedAndIdleBucketsAreDropped() {
    RateLimiter limiter = new RateLimiter(10, 3, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    limiter.tryAcquire("c");
    assertThat(limiter.tryAcquire("d").allowed()).as("full of busy buckets").isFalse();
    assertThat(limiter.size()).isEqualTo(3);
    clock.advanceSeconds(60);
    assertThat(limiter.tryAcquire("d").allowed()).as("idle buckets evicted to make room").isTrue();
    assertThat(limiter.size()).isEqualTo(1);
  }
}
