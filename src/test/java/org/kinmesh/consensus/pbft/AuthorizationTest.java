package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/** Every message is checked: signature, chain, key, role, slot, and one vote per key. */
class AuthorizationTest {
  private final Fixture fx = new Fixture();
  private final Replica replica = fx.replica();
  private final byte[] payload = Fixture.payload("block 1");
  private final String digest = Fixture.digest(payload);

  @Test
  void aVoteFromAKeyOutsideTheMembershipIsRejected() throws Exception {
    List<Action> out = fx.deliver(replica, Fixture.prepare(fx.outsider, SimNetwork.CHAIN, 0, 1, digest));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.UNAUTHORIZED);
  }

  @Test
  void aProposalFromANonPrimaryIsRejected() throws Exception {
    List<Action> out = fx.deliver(replica, Fixture.prePrepare(fx.ids.get(1), 0, 1, payload));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.NOT_PRIMARY);
  }

  @Test
  void aBadSignatureIsRefusedAtTheEdge() {
    Envelope.Prepare good = Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest);
    Envelope.Prepare forged = new Envelope.Prepare(SimNetwork.CHAIN, 0, 1, digest, fx.ids.get(1).publicKeyHex(),
        good.signature());
    assertThatThrownBy(() -> fx.codec.decode(fx.codec.encode(forged)))
        .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_SIGNATURE));
  }

  @Test
  void anotherBlockchainIsRefusedAtTheEdgeAndByTheReplica() {
    Envelope.Prepare other = Fixture.prepare(fx.ids.get(0), "other-chain", 0, 1, digest);
    assertThatThrownBy(() -> fx.codec.decode(fx.codec.encode(other)))
        .isInstanceOfSatisfying(EnvelopeException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.WRONG_BLOCKCHAIN));
    List<Action> out = Fixture.handle(replica, new Event.Received(other));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.WRONG_BLOCKCHAIN);
  }

  @Test
  void aSignatureForOneChainDoesNotVerifyForAnother() {
    Envelope.Prepare signed = Fixture.prepare(fx.ids.get(0), "other-chain", 0, 1, digest);
    Envelope.Prepare moved = new Envelope.Prepare(SimNetwork.CHAIN, 0, 1, digest, signed.sender(), signed.signature());
    assertThat(moved.signatureValid()).isFalse();
  }

  @Test
  void aSignatureForOneKindDoesNotVerifyAsAnother() {
    Envelope.Prepare p = Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest);
    Envelope.Commit asCommit = new Envelope.Commit(SimNetwork.CHAIN, 0, 1, digest, p.sender(), p.signature());
    assertThat(asCommit.signatureValid()).isFalse();
  }

  @Test
  void aDuplicateVoteCountsOnceAndIsRejected() throws Exception {
    Identity voter = fx.ids.get(1);
    assertThat(Fixture.rejections(fx.deliver(replica, Fixture.prepare(voter, SimNetwork.CHAIN, 0, 1, digest)))).isEmpty();
    assertThat(Fixture.rejections(fx.deliver(replica, Fixture.prepare(voter, SimNetwork.CHAIN, 0, 1, digest))))
        .containsExactly(RejectReason.DUPLICATE);
    String other = Fixture.digest(Fixture.payload("another block"));
    assertThat(Fixture.rejections(fx.deliver(replica, Fixture.prepare(voter, SimNetwork.CHAIN, 0, 1, other))))
        .containsExactly(RejectReason.CONFLICTING_VOTE);
  }

  @Test
  void duplicateCommitsFromOneKeyNeverMakeAQuorum() throws Exception {
    // Proposal known, then three commits that are really one key's commit three times.
    fx.deliver(replica, Fixture.prePrepare(fx.ids.get(0), 0, 1, payload));
    Envelope.Commit c = Fixture.commit(fx.ids.get(1), 0, 1, digest);
    fx.deliver(replica, c);
    fx.deliver(replica, c);
    List<Action> out = fx.deliver(replica, c);
    assertThat(Fixture.commits(out)).isEmpty();
    assertThat(replica.committedHeight()).isZero();
    // A second key makes 2 distinct; an outsider's commit does not make it 3.
    fx.deliver(replica, Fixture.commit(fx.ids.get(2), 0, 1, digest));
    out = fx.deliver(replica, Fixture.commit(fx.outsider, 0, 1, digest));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.UNAUTHORIZED);
    assertThat(replica.committedHeight()).isZero();
  }

  @Test
  void theNormalCaseCommitsWithExactlyTheThreshold() throws Exception {
    List<Action> out = fx.deliver(replica, Fixture.prePrepare(fx.ids.get(0), 0, 1, payload));
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.Prepare);
    fx.deliver(replica, Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest));
    out = fx.deliver(replica, Fixture.prepare(fx.ids.get(1), SimNetwork.CHAIN, 0, 1, digest));
    // Own prepare + 2 = 3 = threshold: prepared, so it commits.
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.Commit);
    out = fx.deliver(replica, Fixture.commit(fx.ids.get(0), 0, 1, digest));
    assertThat(Fixture.commits(out)).isEmpty();
    out = fx.deliver(replica, Fixture.commit(fx.ids.get(2), 0, 1, digest));
    assertThat(Fixture.commits(out)).singleElement().satisfies(c -> {
      assertThat(c.height()).isEqualTo(1);
      assertThat(c.digest()).isEqualTo(digest);
      assertThat(c.payload()).isEqualTo(payload);
      assertThat(c.certificate().signers()).hasSize(3);
      assertThat(CommitCertificate.verify(c.certificate(), fx.membership.keys(), 3)).isTrue();
    });
    // A late vote for the committed height is counted as stale, not acted on.
    out = fx.deliver(replica, Fixture.commit(fx.ids.get(1), 0, 1, digest));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.STALE);
  }

  @Test
  void aVoteForAnOldViewIsNeverActedOn() throws Exception {
    // Move the replica to view 1 through its own timer.
    Fixture.handle(replica, new Event.TimerFired(new TimerId(TimerId.Kind.VIEW, 0, 1)));
    assertThat(replica.view()).isEqualTo(1);
    // While it waits for a NEW-VIEW it keeps view-0 messages (should it rejoin view 0, it can vote
    // on the height in flight at once) but does not vote on them.
    List<Action> out = fx.deliver(replica, Fixture.prePrepare(fx.ids.get(0), 0, 1, payload));
    out.addAll(fx.deliver(replica, Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest)));
    assertThat(out).noneMatch(a -> a instanceof Action.Broadcast);
    assertThat(Fixture.rejections(out)).isEmpty();
    // Far older views are refused outright.
    Replica far = fx.replica();
    for (int v = 0; v <= Replica.MAX_VIEW_AHEAD + 1; v++) {
      Fixture.handle(far, new Event.TimerFired(new TimerId(TimerId.Kind.VIEW, far.view(), 1)));
    }
    out = fx.deliver(far, Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.OLD_VIEW);
  }

  @Test
  void anInvalidBlockIsNotVotedForAndTriggersAViewChange() throws Exception {
    Envelope.PrePrepare bad = new Envelope.PrePrepare(SimNetwork.CHAIN, 0, 1, Fixture.digest(Fixture.payload("x")),
        payload, fx.ids.get(0).publicKeyHex(), null);
    bad = new Envelope.PrePrepare(SimNetwork.CHAIN, 0, 1, bad.digest(), payload, bad.sender(),
        fx.ids.get(0).sign(bad.canonical()));
    List<Action> out = fx.deliver(replica, bad);
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_PAYLOAD);
    assertThat(out).noneMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.Prepare);
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.ViewChange);
  }

  @Test
  void inARunningNetworkEachBadMessageIsCountedByReasonAndChangesNothing() {
    SimNetwork net = new SimNetwork(4, 51);
    net.startAll();
    assertThat(net.allUpReach(3, 60_000)).isTrue();
    SimNetwork.Node target = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).findFirst().orElseThrow();
    SimNetwork.Node member = net.nodes.stream().filter(n -> n != target).findFirst().orElseThrow();
    long next = target.height() + 2; // not committed yet when these arrive
    String d = Fixture.digest(Fixture.payload("not a real block"));
    net.send(target, Fixture.prepare(fx.outsider, SimNetwork.CHAIN, 0, next, d));
    Envelope.Prepare good = Fixture.prepare(member.identity, SimNetwork.CHAIN, 0, next, d);
    net.send(target, new Envelope.Prepare(SimNetwork.CHAIN, 0, next, d, member.key,
        Fixture.prepare(member.identity, SimNetwork.CHAIN, 0, next + 1, d).signature()));
    net.send(target, Fixture.prepare(member.identity, "other-chain", 0, next, d));
    net.send(target, good);
    net.send(target, good);
    net.runFor(100);
    assertThat(target.rejected(RejectReason.UNAUTHORIZED)).isEqualTo(1);
    assertThat(target.rejected(RejectReason.BAD_SIGNATURE)).isEqualTo(1);
    assertThat(target.rejected(RejectReason.WRONG_BLOCKCHAIN)).isEqualTo(1);
    assertThat(target.rejected(RejectReason.DUPLICATE)).isEqualTo(1);
    assertThat(net.allUpReach(next + 2, 60_000)).isTrue();
    net.assertAgreement();
  }
}
