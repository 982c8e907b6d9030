package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/**
 * The replica asks its host to judge a block with {@link Action.Validate} and waits for
 * {@link Event.Validated}; it starts no I/O itself and calls nothing back. Driven by hand here,
 * without {@link TestJudge}, so each step of the exchange is visible.
 */
class ValidateActionTest {
  private final Fixture fx = new Fixture();
  private final Replica replica = new Replica(SimNetwork.simConfig(), Signer.of(fx.self()),
      Replica.Resume.genesis(SimNetwork.GENESIS, fx.membership));
  private final Identity primary = fx.ids.get(0);
  private final byte[] payload = Fixture.payload("block 1");
  private final String digest = Fixture.digest(payload);

  private List<Action> deliver(Envelope e) throws EnvelopeException {
    return replica.handle(new Event.Received(fx.codec.decode(fx.codec.encode(e))));
  }

  private static List<Action.Validate> validations(List<Action> out) {
    return out.stream().filter(a -> a instanceof Action.Validate).map(a -> (Action.Validate) a).toList();
  }

  private static boolean broadcasts(List<Action> out, Class<? extends Envelope> type) {
    return out.stream().anyMatch(a -> a instanceof Action.Broadcast b && type.isInstance(b.envelope()));
  }

  @Test
  void aProposalIsJudgedByTheHostBeforeTheReplicaVotes() throws Exception {
    replica.handle(new Event.Start());
    List<Action> out = deliver(Fixture.prePrepare(primary, 0, 1, payload));
    assertThat(validations(out)).singleElement().satisfies(v -> {
      assertThat(v.height()).isEqualTo(1);
      assertThat(v.view()).isZero();
      assertThat(v.digest()).isEqualTo(digest);
      assertThat(v.payload()).isEqualTo(payload);
      assertThat(v.proposal()).isTrue();
      assertThat(v.from()).isEqualTo(primary.publicKeyHex());
    });
    assertThat(broadcasts(out, Envelope.Prepare.class)).as("no vote before the host answers").isFalse();

    // Other traffic while the host thinks: asked once, not again.
    out = deliver(Fixture.prepare(fx.ids.get(1), SimNetwork.CHAIN, 0, 1, digest));
    assertThat(validations(out)).isEmpty();
    // A Wake says the host may know more now: the replica asks again for what it still waits on.
    out = replica.handle(new Event.Wake());
    assertThat(validations(out)).hasSize(1);

    // An answer for another height or block changes nothing.
    out = replica.handle(new Event.Validated(2, digest, true, Verdict.VALID));
    assertThat(broadcasts(out, Envelope.Prepare.class)).isFalse();
    out = replica.handle(new Event.Validated(1, Fixture.digest(Fixture.payload("other")), true, Verdict.VALID));
    assertThat(broadcasts(out, Envelope.Prepare.class)).isFalse();

    out = replica.handle(new Event.Validated(1, digest, true, Verdict.VALID));
    assertThat(broadcasts(out, Envelope.Prepare.class)).isTrue();
    assertThat(validations(out)).isEmpty();
  }

  @Test
  void aProposalTheHostRefusesStartsAViewChange() throws Exception {
    replica.handle(new Event.Start());
    deliver(Fixture.prePrepare(primary, 0, 1, payload));
    List<Action> out = replica.handle(new Event.Validated(1, digest, true, Verdict.INVALID));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_PAYLOAD);
    assertThat(broadcasts(out, Envelope.Prepare.class)).isFalse();
    assertThat(broadcasts(out, Envelope.ViewChange.class)).isTrue();
    assertThat(replica.inViewChange()).isTrue();
  }

  @Test
  void aCertifiedBlockIsJudgedOnItsContentAndCommittedOnTheAnswer() throws Exception {
    replica.handle(new Event.Start());
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    List<Action> out = deliver(Fixture.block(fx.ids.get(1), 1, payload, cert));
    assertThat(validations(out)).singleElement().satisfies(v -> assertThat(v.proposal()).isFalse());
    assertThat(Fixture.commits(out)).isEmpty();
    out = replica.handle(new Event.Validated(1, digest, false, Verdict.VALID));
    assertThat(Fixture.commits(out)).extracting(Action.Committed::height).containsExactly(1L);
    assertThat(replica.committedHeight()).isEqualTo(1);
  }
}
