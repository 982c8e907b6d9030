package org.kinmesh.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffAndBreakerTest {
  @Test
  void backoffDoublesToTheCap() {
    long[] expected = {1_000, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
    for (int attempt = 0; attempt < expected.length; attempt++) {
      assertThat(Backoff.DEFAULT.delayMillis(attempt)).as("attempt " + attempt).isEqualTo(expected[attempt]);
    }
    assertThat(Backoff.DEFAULT.delayMillis(1000)).isEqualTo(30_000);
  }

  @Test
  void retryPolicyRetriesOnlyServerAndNetworkErrors() {
    assertThat(RetryPolicy.RELAY.mayRetry(1, 503)).isTrue();
    assertThat(RetryPolicy.RELAY.mayRetry(1, 0)).isTrue();
    assertThat(RetryPolicy.RELAY.mayRetry(1, 400)).isFalse();
    assertThat(RetryPolicy.RELAY.mayRetry(1, 403)).isFalse();
    assertThat(RetryPolicy.RELAY.mayRetry(3, 503)).as("3 tries at most").isFalse();
    assertThat(RetryPolicy.DIRECT.mayRetry(4, 0)).isTrue();
    assertThat(RetryPolicy.DIRECT.mayRetry(5, 0)).isFalse();
  }

  @Test
  void breakerOpensAfterFiveFailuresThenProbesHalfOpen() {
    CircuitBreaker b = new CircuitBreaker(5, Backoff.DEFAULT);
    for (int i = 0; i < 4; i++) {
      b.failure(0);
      assertThat(b.allow(0)).isTrue();
    }
    b.failure(0);
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.allow(999)).isFalse();
    assertThat(b.allow(1_000)).isTrue();
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    b.failure(1_000); // failed probe: open again, longer
    assertThat(b.allow(2_999)).isFalse();
    assertThat(b.allow(3_000)).isTrue();
    b.success();
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(b.consecutiveFailures()).isZero();
  }
}
