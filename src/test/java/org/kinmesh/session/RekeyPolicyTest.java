package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.session.RekeyPolicy.Decision.EXPIRED;
import static org.kinmesh.session.RekeyPolicy.Decision.KEEP;
import static org.kinmesh.session.RekeyPolicy.Decision.REKEY;

import org.junit.jupiter.api.Test;

class RekeyPolicyTest {
  private final RekeyPolicy p = RekeyPolicy.DEFAULT;

  @Test
  void theInitiatorRekeysAfterTwoMinutesAndTheResponderFifteenSecondsLater() {
    assertThat(p.decide(true, 119_999, 0)).isEqualTo(KEEP);
    assertThat(p.decide(true, 120_000, 0)).isEqualTo(REKEY);
    assertThat(p.decide(false, 120_000, 0)).isEqualTo(KEEP);
    assertThat(p.decide(false, 135_000, 0)).isEqualTo(REKEY);
  }

  @Test
  void bothStopAfterThreeMinutes() {
    assertThat(p.decide(true, 179_999, 0)).isEqualTo(REKEY);
    assertThat(p.decide(true, 180_000, 0)).isEqualTo(EXPIRED);
    assertThat(p.decide(false, 180_000, 0)).isEqualTo(EXPIRED);
  }

  @Test
  void messageCountsRekeyAndExpireToo() {
    RekeyPolicy small = new RekeyPolicy(120_000, 15_000, 180_000, 10, 20);
    assertThat(small.decide(false, 0, 9)).isEqualTo(KEEP);
    assertThat(small.decide(false, 0, 10)).isEqualTo(REKEY);
    assertThat(small.decide(true, 0, 20)).isEqualTo(EXPIRED);
  }

  @Test
  void refusesLimitsInTheWrongOrder() {
    assertThatThrownBy(() -> new RekeyPolicy(180_000, 15_000, 120_000, 10, 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rekeyAfter + responderGrace < rejectAfter");
    assertThatThrownBy(() -> new RekeyPolicy(120_000, 15_000, 180_000, 20, 20))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
