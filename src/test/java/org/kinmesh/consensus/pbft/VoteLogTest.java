package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

class VoteLogTest {
  private final Fixture fx = new Fixture();
  private final String digest = Fixture.digest(Fixture.payload("b"));

  @Test
  void commitsForManyOldViewsCannotCrowdOutTheCurrentOne() {
    VoteLog log = new VoteLog();
    Identity liar = fx.ids.get(0);
    for (long v = 0; v < VoteLog.MAX_ROUNDS_PER_HEIGHT; v++) {
      assertThat(log.addCommit(Fixture.commit(liar, v, 1, digest))).isEqualTo(VoteLog.Added.ADDED);
    }
    // Full: a lower view is refused, a higher one evicts the lowest.
    assertThat(log.addCommit(Fixture.commit(fx.ids.get(1), 0, 1, digest))).isEqualTo(VoteLog.Added.ADDED);
    VoteLog fresh = new VoteLog();
    for (long v = 10; v < 10 + VoteLog.MAX_ROUNDS_PER_HEIGHT; v++) {
      fresh.addCommit(Fixture.commit(liar, v, 1, digest));
    }
    assertThat(fresh.addCommit(Fixture.commit(fx.ids.get(1), 3, 1, digest))).isEqualTo(VoteLog.Added.FULL);
    assertThat(fresh.addCommit(Fixture.commit(fx.ids.get(1), 40, 1, digest))).isEqualTo(VoteLog.Added.ADDED);
    assertThat(fresh.roundsAt(1)).hasSize(VoteLog.MAX_ROUNDS_PER_HEIGHT).containsKey(40L).doesNotContainKey(10L);
  }

  @Test
  void oneVotePerKeyPerRoundAndGarbageCollectionByHeight() {
    VoteLog log = new VoteLog();
    Identity k = fx.ids.get(2);
    assertThat(log.addPrepare(Fixture.prepare(k, SimNetwork.CHAIN, 0, 1, digest))).isEqualTo(VoteLog.Added.ADDED);
    assertThat(log.addPrepare(Fixture.prepare(k, SimNetwork.CHAIN, 0, 1, digest))).isEqualTo(VoteLog.Added.DUPLICATE);
    String other = Fixture.digest(Fixture.payload("c"));
    assertThat(log.addPrepare(Fixture.prepare(k, SimNetwork.CHAIN, 0, 1, other))).isEqualTo(VoteLog.Added.CONFLICT);
    log.addPrepare(Fixture.prepare(k, SimNetwork.CHAIN, 0, 2, digest));
    log.putPayload(1, digest, new byte[] {1});
    log.dropUpTo(1);
    assertThat(log.roundsAt(1)).isEmpty();
    assertThat(log.payload(1, digest)).isNull();
    assertThat(log.roundsAt(2)).hasSize(1);
  }
}
