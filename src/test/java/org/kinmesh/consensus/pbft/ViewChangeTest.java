package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/** NEW-VIEW is checked by recomputing it from its view changes; so are the view changes. */
class ViewChangeTest {
  private final Fixture fx = new Fixture();
  private final Replica replica = fx.replica();
  private final byte[] payload = Fixture.payload("block 1, prepared in view 0");
  private final String digest = Fixture.digest(payload);
  private final Identity primary1 = fx.ids.get(1);

  @Test
  void aNewViewThatCarriesThePreparedBlockForwardIsAccepted() throws Exception {
    List<Action> out = fx.deliver(replica, newView(primary1, List.of(prepared(0, 3), plain(1), plain(2)),
        reproposal(primary1, payload)));
    assertThat(Fixture.rejections(out)).isEmpty();
    assertThat(replica.view()).isEqualTo(1);
    assertThat(replica.inViewChange()).isFalse();
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.Prepare p
        && p.view() == 1 && p.height() == 1 && p.digest().equals(digest));
  }

  @Test
  void aNewViewWithNothingPreparedLetsThePrimaryProposeFreely() throws Exception {
    List<Action> out = fx.deliver(replica, newView(primary1, List.of(plain(0), plain(1), plain(2)), null));
    assertThat(Fixture.rejections(out)).isEmpty();
    assertThat(replica.view()).isEqualTo(1);
    byte[] fresh = Fixture.payload("a fresh block");
    out = fx.deliver(replica, Fixture.prePrepare(primary1, 1, 1, fresh));
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.Prepare);
  }

  @Test
  void aNewViewFromAnotherKeyIsRejected() throws Exception {
    Identity notPrimary = fx.ids.get(2);
    List<Action> out = fx.deliver(replica, newView(notPrimary, List.of(plain(0), plain(1), plain(2)), null));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.NOT_PRIMARY);
    assertThat(replica.view()).isZero();
  }

  @Test
  void aNewViewWithTooFewViewChangesIsRejected() throws Exception {
    List<Action> out = fx.deliver(replica, newView(primary1, List.of(plain(1), plain(2)), null));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_NEW_VIEW);
  }

  @Test
  void aNewViewThatDropsAPreparedBlockIsRejected() throws Exception {
    List<Action> out = fx.deliver(replica, newView(primary1, List.of(prepared(0, 3), plain(1), plain(2)), null));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_NEW_VIEW);
    out = fx.deliver(replica, newView(primary1, List.of(prepared(0, 3), plain(1), plain(2)),
        reproposal(primary1, Fixture.payload("something else"))));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_NEW_VIEW);
    assertThat(replica.view()).isZero();
  }

  @Test
  void aViewChangeWithAnInsufficientPreparedCertificateIsRejected() throws Exception {
    List<Action> out = fx.deliver(replica, prepared(0, 2));
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_VIEW_CHANGE);
  }

  @Test
  void aViewChangeWhosePrePrepareIsNotFromThatViewsPrimaryIsRejected() throws Exception {
    List<Envelope.Prepare> prepares = new ArrayList<>();
    for (Identity id : fx.ids.subList(0, 3)) {
      prepares.add(Fixture.prepare(id, SimNetwork.CHAIN, 0, 1, digest));
    }
    PreparedCertificate wrong = new PreparedCertificate(Fixture.prePrepare(fx.ids.get(2), 0, 1, payload), prepares);
    Identity by = fx.ids.get(0);
    Envelope.ViewChange vc = EnvelopeCodecTest.sign(by,
        new Envelope.ViewChange(SimNetwork.CHAIN, 1, 1, null, wrong, payload, by.publicKeyHex(), null));
    assertThat(Fixture.rejections(fx.deliver(replica, vc))).containsExactly(RejectReason.INVALID_VIEW_CHANGE);
  }

  @Test
  void fPlusOneViewChangesMakeALateReplicaJoin() throws Exception {
    List<Action> out = fx.deliver(replica, plain(0));
    assertThat(out).noneMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.ViewChange);
    out = fx.deliver(replica, plain(2));
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.ViewChange vc
        && vc.view() == 1 && vc.sender().equals(fx.self().publicKeyHex()));
    assertThat(replica.inViewChange()).isTrue();
  }

  // --- helpers ------------------------------------------------------------------------------------

  /** A view change to view 1 at height 1 from ids[i], holding nothing prepared. */
  private Envelope.ViewChange plain(int i) {
    Identity by = fx.ids.get(i);
    return EnvelopeCodecTest.sign(by, new Envelope.ViewChange(SimNetwork.CHAIN, 1, 1, null, null, null,
        by.publicKeyHex(), null));
  }

  /** A view change to view 1 from ids[i] with the block prepared in view 0 by {@code prepares} keys. */
  private Envelope.ViewChange prepared(int i, int prepares) {
    List<Envelope.Prepare> list = new ArrayList<>();
    for (Identity id : fx.ids.subList(0, prepares)) {
      list.add(Fixture.prepare(id, SimNetwork.CHAIN, 0, 1, digest));
    }
    PreparedCertificate cert = new PreparedCertificate(Fixture.prePrepare(fx.ids.get(0), 0, 1, payload), list);
    Identity by = fx.ids.get(i);
    return EnvelopeCodecTest.sign(by, new Envelope.ViewChange(SimNetwork.CHAIN, 1, 1, null, cert, payload,
        by.publicKeyHex(), null));
  }

  private static Envelope.PrePrepare reproposal(Identity by, byte[] body) {
    return Fixture.prePrepare(by, 1, 1, body);
  }

  private static Envelope.NewView newView(Identity by, List<Envelope.ViewChange> vcs, Envelope.PrePrepare re) {
    List<Envelope.ViewChange> stripped = vcs.stream().map(Envelope.ViewChange::withoutPayload).toList();
    return EnvelopeCodecTest.sign(by, new Envelope.NewView(SimNetwork.CHAIN, 1, 1, stripped, re, by.publicKeyHex(), null));
  }
}
