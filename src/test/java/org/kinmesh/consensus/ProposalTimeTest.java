package org.kinmesh.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProposalTimeTest {
  static final long NOW = 1_700_000_000L;

  @Test
  void anOrdinaryBlockMayBeALittleAheadButNotMore() {
    assertThat(ProposalTime.judge(NOW - 100, NOW, false)).isEqualTo(ProposalTime.Verdict.OK);
    assertThat(ProposalTime.judge(NOW + ProposalTime.MAX_SKEW_SECS, NOW, false)).isEqualTo(ProposalTime.Verdict.OK);
    assertThat(ProposalTime.judge(NOW + ProposalTime.MAX_SKEW_SECS + 1, NOW, false))
        .isEqualTo(ProposalTime.Verdict.REFUSE);
  }

  @Test
  void anEmergencyBlockWaitsForTheVotersOwnClock() {
    assertThat(ProposalTime.judge(NOW, NOW, true)).isEqualTo(ProposalTime.Verdict.OK);
    assertThat(ProposalTime.judge(NOW + 1, NOW, true)).isEqualTo(ProposalTime.Verdict.WAIT);
    assertThat(ProposalTime.judge(NOW + ProposalTime.MAX_SKEW_SECS, NOW, true)).isEqualTo(ProposalTime.Verdict.WAIT);
    // An hour ahead (a primary claiming the outage early) is refused outright.
    assertThat(ProposalTime.judge(NOW + 3600, NOW, true)).isEqualTo(ProposalTime.Verdict.REFUSE);
  }
}
