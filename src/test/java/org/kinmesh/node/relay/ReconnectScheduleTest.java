package org.kinmesh.node.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kinmesh.net.Backoff;

class ReconnectScheduleTest {
  @Test
  void failuresBackOffToTheCapAndAStableConnectionStartsOver() {
    ReconnectSchedule s = new ReconnectSchedule(Backoff.DEFAULT, 30_000);
    assertThat(s.afterFailure()).isEqualTo(1_000);
    assertThat(s.afterFailure()).isEqualTo(2_000);
    assertThat(s.afterFailure()).isEqualTo(4_000);
    assertThat(s.afterFailure()).isEqualTo(8_000);
    assertThat(s.afterFailure()).isEqualTo(16_000);
    assertThat(s.afterFailure()).isEqualTo(30_000);
    assertThat(s.afterFailure()).isEqualTo(30_000);
    assertThat(s.failures()).isEqualTo(7);
    // Up for 30 s or more: the next try is the first step again.
    assertThat(s.afterClose(30_000)).isEqualTo(1_000);
    assertThat(s.failures()).isZero();
    // Up briefly (replaced by a twin, cut at once): one more failure.
    assertThat(s.afterClose(500)).isEqualTo(1_000);
    assertThat(s.afterClose(500)).isEqualTo(2_000);
    assertThat(s.failures()).isEqualTo(2);
  }
}
