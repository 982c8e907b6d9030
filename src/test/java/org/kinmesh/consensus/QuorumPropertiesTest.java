package org.kinmesh.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

/** The safety properties of docs/quorum.md, over every N jqwik cares to try up to 1000. */
class QuorumPropertiesTest {

  // --- intersection -------------------------------------------------------------------------

  @Property
  void anyTwoStrictQuorumsShareAtLeastFPlusOneNodes(
      @ForAll @IntRange(min = 1, max = 1000) int n, @ForAll("policies") QuorumPolicy policy) {
    int t = policy.strictThreshold(n);
    assertThat(Quorums.minOverlap(n, t)).isGreaterThanOrEqualTo(Quorums.f(n) + 1);
  }

  @Property
  void anyTwoEmergencyQuorumsIntersect(@ForAll @IntRange(min = 1, max = 1000) int n) {
    assertThat(Quorums.minOverlap(n, Quorums.majority(n))).isGreaterThanOrEqualTo(1);
  }

  @Property
  void aStrictQuorumAndAnEmergencyQuorumIntersect(
      @ForAll @IntRange(min = 1, max = 1000) int n, @ForAll("policies") QuorumPolicy policy) {
    // During an outage some nodes may still use strict while others use the majority.
    assertThat(policy.strictThreshold(n) + Quorums.majority(n)).isGreaterThan(n);
  }

  /** The arithmetic above, checked on real sets: random pairs and the most disjoint pair. */
  @Property
  void strictQuorumsAsSetsShareAtLeastFPlusOne(
      @ForAll @IntRange(min = 1, max = 40) int n, @ForAll("policies") QuorumPolicy policy, @ForAll Random random) {
    int t = policy.strictThreshold(n);
    assertThat(overlap(randomSubset(n, t, random), randomSubset(n, t, random))).isGreaterThanOrEqualTo(Quorums.f(n) + 1);
    assertThat(overlap(range(0, t), range(n - t, n))).isEqualTo(Quorums.minOverlap(n, t));
  }

  @Property
  void emergencyQuorumsAsSetsIntersect(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll Random random) {
    int t = Quorums.majority(n);
    assertThat(overlap(randomSubset(n, t, random), randomSubset(n, t, random))).isGreaterThanOrEqualTo(1);
    assertThat(overlap(range(0, t), range(n - t, n))).isEqualTo(Quorums.minOverlap(n, t)).isGreaterThanOrEqualTo(1);
  }

  // --- thresholds ---------------------------------------------------------------------------

  @Property
  void noThresholdExceedsN(@ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in) {
    QuorumDecision d = policy.decide(in);
    int n = in.authorized();
    assertThat(d.threshold()).isBetween(1, n);
    assertThat(d.strict()).isBetween(1, n);
    assertThat(d.emergencyThreshold()).isBetween(1, n);
  }

  @Property
  void withEmergencyOffTheThresholdIsAtLeastStrict(
      @ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in) {
    QuorumPolicy off = new QuorumPolicy(policy.minViableNodes(), false, policy.emergencyAfterSecs());
    QuorumDecision d = off.decide(in);
    assertThat(d.threshold()).isGreaterThanOrEqualTo(d.strict()).isGreaterThanOrEqualTo(Quorums.q(in.authorized()));
    assertThat(d.mode()).isNotEqualTo(QuorumMode.EMERGENCY);
  }

  @Property
  void respondingNodesNeverLowerTheThresholdWithEmergencyOff(
      @ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in,
      @ForAll @IntRange(min = 0, max = 1000) int otherR) {
    QuorumPolicy off = new QuorumPolicy(policy.minViableNodes(), false, policy.emergencyAfterSecs());
    int r2 = otherR % (in.authorized() + 1);
    QuorumInput other = new QuorumInput(in.authorized(), r2, in.strictUnreachableSecs());
    assertThat(off.decide(other).threshold()).isEqualTo(off.decide(in).threshold());
  }

  @Property
  void onlyTheGatedEmergencyRuleGoesBelowStrict(@ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in) {
    QuorumDecision d = policy.decide(in);
    assertThat(d.threshold()).isGreaterThanOrEqualTo(Quorums.majority(in.authorized()));
    if (d.threshold() < d.strict()) {
      assertThat(d.mode()).isEqualTo(QuorumMode.EMERGENCY);
      assertThat(policy.emergencyMajority()).isTrue();
      assertThat(in.responding()).isLessThan(d.strict()).isGreaterThanOrEqualTo(d.threshold());
      assertThat(in.strictUnreachableSecs()).isGreaterThanOrEqualTo(policy.emergencyAfterSecs());
      assertThat(d.threshold()).isEqualTo(Quorums.majority(in.authorized()));
    } else {
      assertThat(d.threshold()).isEqualTo(d.strict());
    }
  }

  @Property
  void minViableNodesOnlyRaisesTheStrictThreshold(
      @ForAll @IntRange(min = 1, max = 1000) int n,
      @ForAll @IntRange(min = 1, max = 1000) int m1, @ForAll @IntRange(min = 1, max = 1000) int m2) {
    QuorumPolicy lo = new QuorumPolicy(Math.min(m1, m2), false, 60);
    QuorumPolicy hi = new QuorumPolicy(Math.max(m1, m2), false, 60);
    assertThat(lo.strictThreshold(n)).isGreaterThanOrEqualTo(Quorums.q(n));
    assertThat(hi.strictThreshold(n)).isGreaterThanOrEqualTo(lo.strictThreshold(n));
  }

  // --- modes --------------------------------------------------------------------------------

  @Property
  void modesFollowTheirDefinitions(@ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in) {
    QuorumDecision d = policy.decide(in);
    int n = in.authorized();
    int r = in.responding();
    switch (d.mode()) {
      case HEALTHY -> assertThat(r).isEqualTo(n);
      case DEGRADED -> assertThat(r).isGreaterThanOrEqualTo(d.strict()).isLessThan(n);
      case STALLED, EMERGENCY -> assertThat(r).isLessThan(d.strict());
    }
    assertThat(d.canCommit()).isEqualTo(d.mode() != QuorumMode.STALLED);
    assertThat(d.emergencyStartsInSecs().isPresent()).isEqualTo(
        d.mode() == QuorumMode.STALLED && policy.emergencyMajority() && r >= d.emergencyThreshold()
            && d.emergencyThreshold() < d.strict() && d.emergencyThreshold() >= Math.min(policy.minViableNodes(), n));
    d.emergencyStartsInSecs().ifPresent(s -> assertThat(s).isPositive());

    // The generators must reach every mode, or the checks above prove nothing about it.
    Statistics.label("mode").collect(d.mode());
    Statistics.label("mode").coverage(c -> {
      for (QuorumMode m : QuorumMode.values()) {
        c.check(m).count(k -> k >= 1);
      }
    });
  }

  @Property
  void stalledWaitingEndsInEmergencyExactlyWhenPromised(
      @ForAll("policies") QuorumPolicy policy, @ForAll("inputs") QuorumInput in) {
    QuorumDecision d = policy.decide(in);
    d.emergencyStartsInSecs().ifPresent(wait -> {
      QuorumInput later = new QuorumInput(in.authorized(), in.responding(), in.strictUnreachableSecs() + wait);
      QuorumInput justBefore = new QuorumInput(in.authorized(), in.responding(), in.strictUnreachableSecs() + wait - 1);
      assertThat(policy.decide(later).mode()).isEqualTo(QuorumMode.EMERGENCY);
      assertThat(policy.decide(justBefore).mode()).isEqualTo(QuorumMode.STALLED);
    });
  }

  @Property
  void clockInputNeverStartsEmergencyEarly(
      @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long since,
      @ForAll @LongRange(min = -10_000_000L, max = 10_000_000_000L) long delta) {
    QuorumInput in = QuorumInput.at(7, 4, OptionalLong.of(since), since + delta);
    assertThat(in.strictUnreachableSecs() * 1000).isLessThanOrEqualTo(Math.max(0, delta));
    assertThat(in.strictUnreachableSecs() * 1000).isGreaterThan(delta - 1000);
  }

  @Property
  void qIsTwoFPlusOneOnlyWhenNIsThreeFPlusOne(@ForAll @IntRange(min = 1, max = 100_000) int n) {
    int f = Quorums.f(n);
    assertThat(Quorums.q(n) == 2 * f + 1).isEqualTo(n == 3 * f + 1);
  }

  // --- generators and helpers ---------------------------------------------------------------

  // --- the deterministic emergency rule (blockThreshold) ----------------------------------------

  @Property
  void aBlocksThresholdIsStrictOrTheMajorityAndTheMajorityOnlyAfterTheWait(
      @ForAll @IntRange(min = 1, max = 1000) int n, @ForAll("policies") QuorumPolicy policy,
      @ForAll @LongRange(min = 0, max = 1L << 40) long parent, @ForAll @LongRange(min = 0, max = 200_000) long gap) {
    int t = policy.blockThreshold(n, parent, parent + gap);
    int strict = policy.strictThreshold(n);
    assertThat(t).isIn(strict, Quorums.majority(n));
    assertThat(t).isGreaterThanOrEqualTo(Quorums.majority(n)).isLessThanOrEqualTo(n);
    assertThat(t).isGreaterThanOrEqualTo(policy.lowestThreshold(n));
    if (t < strict) {
      assertThat(policy.emergencyMajority()).isTrue();
      assertThat(gap).isGreaterThanOrEqualTo(policy.emergencyAfterSecs());
      // never fewer than the operator's min_viable_nodes (capped at n)
      assertThat(t).isGreaterThanOrEqualTo(Math.min(policy.minViableNodes(), n));
    }
    if (!policy.emergencyMajority() || gap < policy.emergencyAfterSecs()) {
      assertThat(t).isEqualTo(strict);
    }
    // A function of the two timestamps' difference only: every node computes the same.
    assertThat(policy.blockThreshold(n, parent + 7, parent + 7 + gap)).isEqualTo(t);
  }

  @Property
  void aBlockThatWaitedLongerNeverNeedsMore(
      @ForAll @IntRange(min = 1, max = 1000) int n, @ForAll("policies") QuorumPolicy policy,
      @ForAll @LongRange(min = 0, max = 200_000) long gap, @ForAll @LongRange(min = 0, max = 200_000) long more) {
    assertThat(policy.blockThreshold(n, 0, gap + more)).isLessThanOrEqualTo(policy.blockThreshold(n, 0, gap));
  }

  @Provide
  Arbitrary<QuorumPolicy> policies() {
    return Combinators.combine(
            Arbitraries.oneOf(Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(1, QuorumPolicy.MAX_MIN_VIABLE_NODES)),
            Arbitraries.of(true, false),
            Arbitraries.longs().between(1, 100_000))
        .as(QuorumPolicy::new);
  }

  @Provide
  Arbitrary<QuorumInput> inputs() {
    return Arbitraries.integers().between(1, 1000).flatMap(n -> Combinators.combine(
            Arbitraries.integers().between(0, n),
            Arbitraries.longs().between(0, 200_000))
        .as((r, secs) -> new QuorumInput(n, r, secs)));
  }

  private static Set<Integer> randomSubset(int n, int size, Random random) {
    List<Integer> all = new ArrayList<>(range(0, n));
    Collections.shuffle(all, random);
    return new HashSet<>(all.subList(0, size));
  }

  private static Set<Integer> range(int from, int to) {
    Set<Integer> s = new HashSet<>();
    for (int i = from; i < to; i++) {
      s.add(i);
    }
    return s;
  }

  private static int overlap(Set<Integer> a, Set<Integer> b) {
    Set<Integer> both = new HashSet<>(a);
    both.retainAll(b);
    return both.size();
  }
}
