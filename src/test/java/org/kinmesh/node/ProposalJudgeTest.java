package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.CompactBlock;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.node.ProposalJudge.Judgement;
import org.kinmesh.consensus.pbft.Membership;
import org.kinmesh.testing.TestKeys;

/** The host's judgement of proposals and its emergency rule, on an injected clock. */
class ProposalJudgeTest {
  static final String CHAIN = "judge-chain";
  static final long T0 = 1_700_000_000L;
  static final String PROPOSER = TestKeys.key(1).publicKeyHex();
  static final Membership FIVE = Membership.of(List.of(TestKeys.key(1).publicKeyHex(), TestKeys.key(2).publicKeyHex(),
      TestKeys.key(3).publicKeyHex(), TestKeys.key(4).publicKeyHex(), TestKeys.key(5).publicKeyHex()),
      QuorumPolicy.defaults());

  final AtomicLong now = new AtomicLong(T0 * 1000);
  final ProposalJudge judge = new ProposalJudge(CHAIN, new QuorumPolicy(1, true, 3600), now::get);
  final AtomicInteger asked = new AtomicInteger();

  static CompactBlock block(long height, long timestamp) {
    return CompactBlock.of(Block.of(CHAIN, height, "11".repeat(32), timestamp, PROPOSER, List.of(), List.of()));
  }

  Judgement check(CompactBlock cb, boolean proposal) {
    return judge.verdict(cb.height(), cb.hash(), cb.toJsonBytes(), proposal, asked::incrementAndGet);
  }

  @Test
  void asksTheLedgerOnceAndRemembersItsAnswer() {
    judge.committedAt(4, T0 - 5);
    CompactBlock cb = block(5, T0);
    assertThat(check(cb, true)).isEqualTo(Judgement.PENDING);
    assertThat(check(cb, true)).isEqualTo(Judgement.PENDING);
    assertThat(asked).hasValue(1);
    Block full = Block.of(CHAIN, 5, "11".repeat(32), T0, PROPOSER, List.of(), List.of());
    judge.answered(cb.hash(), full, null, null);
    assertThat(check(cb, true)).isEqualTo(Judgement.VALID);
    assertThat(judge.validBlock(cb.hash())).isEqualTo(full);
    CompactBlock other = block(5, T0 + 1);
    check(other, true);
    judge.answered(other.hash(), null, null, "bad nonce");
    assertThat(check(other, true)).isEqualTo(Judgement.INVALID);
    assertThat(judge.lastProblem()).isEqualTo("bad nonce");
    // unavailable: forgotten, so the next check asks again
    CompactBlock third = block(5, T0 + 2);
    check(third, true);
    judge.answered(third.hash(), null, null, null);
    check(third, true);
    assertThat(asked).hasValue(4);
  }

  @Test
  void aPayloadThatIsNotItsDigestIsNeverBelieved() {
    judge.committedAt(4, T0 - 7200);
    CompactBlock cb = block(5, T0);
    String otherDigest = block(5, T0 + 9).hash();
    assertThat(judge.verdict(5, otherDigest, cb.toJsonBytes(), true, asked::incrementAndGet)).isEqualTo(Judgement.INVALID);
    assertThat(judge.forBlock(5, otherDigest, cb.toJsonBytes(), FIVE)).isEqualTo(4);
    assertThat(judge.verdict(5, cb.hash(), "{\"fake\":1}".getBytes(StandardCharsets.UTF_8), true, asked::incrementAndGet))
        .isEqualTo(Judgement.INVALID);
    assertThat(judge.verdict(6, cb.hash(), cb.toJsonBytes(), true, asked::incrementAndGet)).isEqualTo(Judgement.INVALID);
    assertThat(asked).hasValue(0);
    // the genuine payload still counts afterwards (nothing was cached from the fakes)
    assertThat(judge.forBlock(5, cb.hash(), cb.toJsonBytes(), FIVE)).isEqualTo(3);
  }

  @Test
  void theThresholdOfABlockFollowsItsTimestampAgainstItsParent() {
    judge.committedAt(4, T0);
    assertThat(judge.forBlock(5, block(5, T0 + 10).hash(), block(5, T0 + 10).toJsonBytes(), FIVE)).isEqualTo(4);
    assertThat(judge.forBlock(5, block(5, T0 + 3600).hash(), block(5, T0 + 3600).toJsonBytes(), FIVE)).isEqualTo(3);
    // without the parent (not committed here) nothing is relaxed
    assertThat(judge.forBlock(9, block(9, T0 + 99_999).hash(), block(9, T0 + 99_999).toJsonBytes(), FIVE))
        .isEqualTo(4);
    assertThat(judge.lowest(FIVE)).isEqualTo(3);
  }

  @Test
  void anEarlyEmergencyBlockIsRefusedOrWaitsForTheClock() {
    judge.committedAt(4, T0);
    // The primary claims the hour right away: refused.
    CompactBlock early = block(5, T0 + 3600);
    assertThat(check(early, true)).isEqualTo(Judgement.INVALID);
    assertThat(judge.lastProblem()).contains("after this node's clock");
    assertThat(asked).hasValue(0);
    // Nearly an hour later, dated 10 s ahead of this clock: waits, then is judged once the clock is there.
    now.set((T0 + 3590) * 1000);
    CompactBlock soon = block(5, T0 + 3600);
    assertThat(check(soon, true)).isEqualTo(Judgement.PENDING);
    assertThat(asked).hasValue(0);
    now.set((T0 + 3600) * 1000);
    assertThat(check(soon, true)).isEqualTo(Judgement.PENDING);
    assertThat(asked).hasValue(1);
    // A certified (committed) block is judged on its content only, whatever its date.
    assertThat(check(block(5, T0 + 999_999), false)).isEqualTo(Judgement.PENDING);
    assertThat(asked).hasValue(2);
  }

  @Test
  void theViewChangeQuorumDropsOnlyOnceTheChainStoodStillForTheWait() {
    judge.committedAt(4, T0);
    assertThat(judge.forViewChange(5, FIVE)).isEqualTo(4);
    assertThat(judge.emergencyDue(4, 5)).isFalse();
    now.set((T0 + 3599) * 1000);
    assertThat(judge.forViewChange(5, FIVE)).isEqualTo(4);
    now.set((T0 + 3600) * 1000);
    assertThat(judge.forViewChange(5, FIVE)).isEqualTo(3);
    assertThat(judge.emergencyDue(4, 5)).isTrue();
    ProposalJudge off = new ProposalJudge(CHAIN, QuorumPolicy.defaults(), now::get);
    off.committedAt(4, T0);
    assertThat(off.forViewChange(5, FIVE)).isEqualTo(4);
    assertThat(off.lowest(FIVE)).isEqualTo(4);
  }
}
