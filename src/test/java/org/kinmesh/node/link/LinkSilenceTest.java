package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LinkSilenceTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final LinkSilence silence = new LinkSilence(2_000, now::get);

  @Test
  void aLinkJustOpenedIsNotSilent() {
    assertThat(silence.silentMillis()).isZero();
    assertThat(silence.overdue()).isFalse();
  }

  @Test
  void overdueOnlyOnceTheWholeLimitPassedWithoutHearing() {
    now.addAndGet(1_999);
    assertThat(silence.overdue()).isFalse();
    now.addAndGet(1);
    assertThat(silence.silentMillis()).isEqualTo(2_000);
    assertThat(silence.overdue()).isTrue();
  }

  @Test
  void hearingThePeerStartsTheSilenceAgain() {
    now.addAndGet(1_500);
    silence.heard();
    now.addAndGet(1_500);
    assertThat(silence.silentMillis()).isEqualTo(1_500);
    assertThat(silence.overdue()).isFalse();
    now.addAndGet(500);
    assertThat(silence.overdue()).isTrue();
  }

  @Test
  void aClockGoingBackNeitherClosesNorExtendsForever() {
    now.addAndGet(-5_000);
    assertThat(silence.silentMillis()).isZero();
    assertThat(silence.overdue()).isFalse();
    // Heard while the clock was behind: the later instant already recorded is kept.
    silence.heard();
    now.addAndGet(5_000 + 2_000);
    assertThat(silence.overdue()).isTrue();
  }

  @Test
  void aLimitThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new LinkSilence(0, now::get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> new LinkSilence(-1, now::get)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settingsDefaultToThirtySecondsAndRefuseABadSilence() {
    LinkSettings d = LinkSettings.defaults(LinkNode.CHAIN, "127.0.0.1", 0);
    assertThat(d.silentCloseMillis()).isEqualTo(30_000);
    assertThat(d.heartbeatMillis()).isEqualTo(PathSelector.HEARTBEAT_MS);
    assertThat(d.silentCloseMillis()).isGreaterThan(PathSelector.DIRECT_SILENCE_MS);
    assertThatThrownBy(() -> d.withHeartbeats(3_000, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> d.withHeartbeats(3_000, -30_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> d.withHeartbeats(0, 30_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeat");
    // Shorter than two heartbeats would close healthy idle links between their pongs.
    assertThatThrownBy(() -> d.withHeartbeats(3_000, 5_999)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two heartbeats");
    assertThat(d.withHeartbeats(3_000, 6_000).silentCloseMillis()).isEqualTo(6_000);
  }
}
