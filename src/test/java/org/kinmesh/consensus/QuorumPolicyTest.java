package org.kinmesh.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Worked examples: the n = 1..10 table of docs/quorum.md, the modes, and refused inputs. */
class QuorumPolicyTest {
  private static final QuorumPolicy DEFAULTS = QuorumPolicy.defaults();
  private static final QuorumPolicy EMERGENCY_600 = new QuorumPolicy(1, true, 600);

  @ParameterizedTest(name = "n={0}: f={1} strict={2} emergency={3} tolerates_down={4}")
  @CsvSource({
      "1, 0, 1, 1, 0",
      "2, 0, 2, 2, 0",
      "3, 0, 2, 2, 1",
      "4, 1, 3, 3, 1",
      "5, 1, 4, 3, 1",
      "6, 1, 4, 4, 2",
      "7, 2, 5, 4, 2",
      "8, 2, 6, 5, 2",
      "9, 2, 6, 5, 3",
      "10, 3, 7, 6, 3"})
  void tableForOneToTenNodes(int n, int f, int strict, int emergency, int toleratesDown) {
    QuorumDecision d = DEFAULTS.decide(new QuorumInput(n, n, 0));
    assertThat(Quorums.f(n)).isEqualTo(f);
    assertThat(Quorums.q(n)).isEqualTo(strict);
    assertThat(d.f()).isEqualTo(f);
    assertThat(d.strict()).isEqualTo(strict);
    assertThat(d.threshold()).isEqualTo(strict);
    assertThat(d.emergencyThreshold()).isEqualTo(emergency);
    assertThat(d.toleratesDown()).isEqualTo(toleratesDown);
    assertThat(d.mode()).isEqualTo(QuorumMode.HEALTHY);
  }

  @Test
  void twoFPlusOneIsNotEnoughForSixNodes() {
    // f(6) = 1, so 2f + 1 = 3: two groups of 3 out of 6 can be disjoint and commit different blocks.
    assertThat(Quorums.minOverlap(6, 2 * Quorums.f(6) + 1)).isZero();
    assertThat(Quorums.q(6)).isEqualTo(4);
    assertThat(Quorums.minOverlap(6, Quorums.q(6))).isEqualTo(2);
  }

  @Test
  void minViableNodesMakesSmallNetworksStricterButNeverAboveN() {
    QuorumPolicy four = new QuorumPolicy(4, false, 600);
    assertThat(four.strictThreshold(1)).isEqualTo(1);
    assertThat(four.strictThreshold(2)).isEqualTo(2);
    assertThat(four.strictThreshold(3)).isEqualTo(3); // q(3) = 2, q(4) = 3
    assertThat(four.strictThreshold(4)).isEqualTo(3);
    assertThat(four.strictThreshold(10)).isEqualTo(7); // N above min_viable: no effect
    assertThat(new QuorumPolicy(10, false, 600).strictThreshold(5)).isEqualTo(5); // q(10) = 7, capped at N
  }

  @Test
  void modesForFourNodes() {
    assertThat(DEFAULTS.decide(new QuorumInput(4, 4, 0)).mode()).isEqualTo(QuorumMode.HEALTHY);
    QuorumDecision degraded = DEFAULTS.decide(new QuorumInput(4, 3, 0));
    assertThat(degraded.mode()).isEqualTo(QuorumMode.DEGRADED);
    assertThat(degraded.canCommit()).isTrue();
    QuorumDecision stalled = DEFAULTS.decide(new QuorumInput(4, 2, 1_000_000));
    assertThat(stalled.mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(stalled.threshold()).isEqualTo(3);
    assertThat(stalled.canCommit()).isFalse();
    assertThat(stalled.emergencyStartsInSecs()).isEmpty();
  }

  @Test
  void emergencyIsUselessWhereTheMajorityEqualsStrict() {
    // N = 4: majority 3 = strict 3, so two responding nodes stay stalled however long we wait.
    QuorumDecision d = EMERGENCY_600.decide(new QuorumInput(4, 2, 1_000_000));
    assertThat(d.mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(d.emergencyStartsInSecs()).isEmpty();
  }

  @Test
  void emergencyStartsOnlyAfterTheWait() {
    // N = 7: strict 5, majority 4.
    QuorumDecision waiting = EMERGENCY_600.decide(new QuorumInput(7, 4, 599));
    assertThat(waiting.mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(waiting.threshold()).isEqualTo(5);
    assertThat(waiting.emergencyStartsInSecs()).hasValue(1);
    assertThat(waiting.summary()).contains("STALLED", "emergency majority in 1 s");

    QuorumDecision emergency = EMERGENCY_600.decide(new QuorumInput(7, 4, 600));
    assertThat(emergency.mode()).isEqualTo(QuorumMode.EMERGENCY);
    assertThat(emergency.threshold()).isEqualTo(4);
    assertThat(emergency.strict()).isEqualTo(5);
    assertThat(emergency.canCommit()).isTrue();
    assertThat(emergency.summary()).startsWith("QUORUM EMERGENCY").contains("NOT lying");
  }

  @Test
  void aBlockDatedEmergencyAfterSecsAfterItsParentNeedsOnlyTheMajority() {
    QuorumPolicy p = new QuorumPolicy(1, true, 3600);
    long parent = 1_700_000_000L;
    assertThat(p.blockThreshold(5, parent, parent + 5)).isEqualTo(4);
    assertThat(p.blockThreshold(5, parent, parent + 3599)).isEqualTo(4);
    assertThat(p.blockThreshold(5, parent, parent + 3600)).isEqualTo(3);
    assertThat(p.lowestThreshold(5)).isEqualTo(3);
    // where the majority is no smaller than strict, or with the rule off, it never applies
    assertThat(p.blockThreshold(4, parent, parent + 99_999)).isEqualTo(3);
    assertThat(p.lowestThreshold(4)).isEqualTo(3);
    QuorumPolicy off = new QuorumPolicy(1, false, 3600);
    assertThat(off.blockThreshold(5, parent, parent + 99_999)).isEqualTo(4);
    assertThat(off.lowestThreshold(5)).isEqualTo(4);
    assertThat(off.emergencyApplies(5, 99_999)).isFalse();
    // min_viable_nodes 4: a majority of 3 of 5 is fewer nodes than the operator called viable
    QuorumPolicy viable4 = new QuorumPolicy(4, true, 3600);
    assertThat(viable4.blockThreshold(5, parent, parent + 99_999)).isEqualTo(4);
    assertThat(viable4.decide(new QuorumInput(5, 3, 99_999)).mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(new QuorumPolicy(3, true, 3600).blockThreshold(5, parent, parent + 99_999)).isEqualTo(3);
  }

  @Test
  void emergencyNeedsAMajorityResponding() {
    QuorumDecision d = EMERGENCY_600.decide(new QuorumInput(7, 3, 1_000_000));
    assertThat(d.mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(d.threshold()).isEqualTo(5);
    assertThat(d.emergencyStartsInSecs()).isEmpty();
  }

  @Test
  void emergencyOffMeansStalledForever() {
    QuorumDecision d = new QuorumPolicy(1, false, 600).decide(new QuorumInput(7, 4, 1_000_000));
    assertThat(d.mode()).isEqualTo(QuorumMode.STALLED);
    assertThat(d.threshold()).isEqualTo(5);
  }

  @Test
  void oneAndTwoNodes() {
    assertThat(DEFAULTS.decide(new QuorumInput(1, 1, 0)).mode()).isEqualTo(QuorumMode.HEALTHY);
    assertThat(DEFAULTS.decide(new QuorumInput(1, 0, 0)).mode()).isEqualTo(QuorumMode.STALLED);
    // Two nodes need both: losing either stalls, even in emergency (majority of 2 is 2).
    assertThat(EMERGENCY_600.decide(new QuorumInput(2, 1, 1_000_000)).mode()).isEqualTo(QuorumMode.STALLED);
  }

  @Test
  void inputFromClockRoundsDownAndIgnoresAFutureStart() {
    assertThat(QuorumInput.at(7, 4, OptionalLong.empty(), 5_000).strictUnreachableSecs()).isZero();
    assertThat(QuorumInput.at(7, 4, OptionalLong.of(1_000), 600_999).strictUnreachableSecs()).isEqualTo(599);
    assertThat(QuorumInput.at(7, 4, OptionalLong.of(1_000), 601_000).strictUnreachableSecs()).isEqualTo(600);
    assertThat(QuorumInput.at(7, 4, OptionalLong.of(9_000), 1_000).strictUnreachableSecs()).isZero();
  }

  @Test
  void refusesBadInputs() {
    assertThatThrownBy(() -> new QuorumInput(-1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N must be at least 1, got -1");
    assertThatThrownBy(() -> new QuorumInput(0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing can commit");
    assertThatThrownBy(() -> new QuorumInput(4, 5, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("R must be in 0..N = 0..4, got 5");
    assertThatThrownBy(() -> new QuorumInput(4, -1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("R must be in 0..N");
    assertThatThrownBy(() -> new QuorumInput(4, 2, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0 seconds, got -1");
    assertThatThrownBy(() -> DEFAULTS.strictThreshold(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, got 0");
    assertThatThrownBy(() -> Quorums.f(-3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quorums.majority(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quorums.minOverlap(4, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesBadConfig() {
    assertThatThrownBy(() -> new QuorumPolicy(-1, false, 600))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("min_viable_nodes must be in 1..1000, got -1");
    assertThatThrownBy(() -> new QuorumPolicy(0, false, 600))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min_viable_nodes");
    assertThatThrownBy(() -> new QuorumPolicy(1001, false, 600))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min_viable_nodes");
    assertThatThrownBy(() -> new QuorumPolicy(1, true, -5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("emergency_after_secs must be at least 1, got -5");
    assertThatThrownBy(() -> new QuorumPolicy(1, false, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("emergency_after_secs");
  }

  @Test
  void defaultsAreTheSafeOnes() {
    assertThat(DEFAULTS.emergencyMajority()).isFalse();
    assertThat(DEFAULTS.minViableNodes()).isEqualTo(1);
    assertThat(DEFAULTS.emergencyAfterSecs()).isEqualTo(3600);
  }
}
