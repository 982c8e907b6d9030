package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.noise.HandshakePattern;

class SessionHandshakeTest {
  private final SessionFixture f = new SessionFixture();

  @Test
  void ikEstablishesOneSessionBothWaysAndNamesThePeer() throws Exception {
    SessionKeys a = f.keys(f.alice);
    SessionKeys b = f.keys(f.bob);
    TransportSession[] s = SessionFixture.run(SessionHandshake.initiateIK(a, f.bob.publicKeyHex()),
        SessionHandshake.respond(b, HandshakePattern.IK));
    assertThat(s[0].peerIdentity()).isEqualTo(f.bob.publicKeyHex());
    assertThat(s[1].peerIdentity()).isEqualTo(f.alice.publicKeyHex());
    assertThat(s[0].handshakeHash()).isEqualTo(s[1].handshakeHash());
    assertRoundTrips(s[0], s[1]);
    assertThat(a.refusals().total() + b.refusals().total()).isZero();
  }

  @Test
  void xxEstablishesASessionWithoutKnowingThePeerFirst() throws Exception {
    TransportSession[] s = SessionFixture.run(SessionHandshake.initiateXX(f.keys(f.alice)),
        SessionHandshake.respond(f.keys(f.bob), HandshakePattern.XX));
    assertThat(s[0].peerIdentity()).isEqualTo(f.bob.publicKeyHex());
    assertThat(s[1].peerIdentity()).isEqualTo(f.alice.publicKeyHex());
    assertRoundTrips(s[0], s[1]);
  }

  @Test
  void aKeyOutsideTheAuthorizedSetIsRefusedAsNotAMember() throws Exception {
    // Mallory knows Bob's key (it is public) and believes herself a member.
    Members hers = Members.of(List.of(f.bob.publicKeyHex(), f.mallory.publicKeyHex()));
    SessionKeys m = f.keys(f.mallory, SessionFixture.CHAIN, hers);
    SessionKeys b = f.keys(f.bob);
    SessionHandshake resp = SessionHandshake.respond(b, HandshakePattern.IK);
    byte[] first = SessionHandshake.initiateIK(m, f.bob.publicKeyHex()).write();
    assertRefused(() -> resp.read(first), HandshakeRefusal.NOT_A_MEMBER);
    assertThat(b.refusals().snapshot()).isEqualTo(Map.of(HandshakeRefusal.NOT_A_MEMBER, 1L));
    assertRefused(resp::write, HandshakeRefusal.OUT_OF_TURN); // abandoned: nothing is answered

    // XX: the same, learnt from message 3.
    SessionHandshake xxResp = SessionHandshake.respond(b, HandshakePattern.XX);
    SessionHandshake xxInit = SessionHandshake.initiateXX(m);
    xxResp.read(xxInit.write());
    xxInit.read(xxResp.write());
    byte[] third = xxInit.write();
    assertRefused(() -> xxResp.read(third), HandshakeRefusal.NOT_A_MEMBER);
  }

  @Test
  void theInitiatorRefusesToCallANonMember() {
    SessionKeys a = f.keys(f.alice);
    assertRefused(() -> SessionHandshake.initiateIK(a, f.mallory.publicKeyHex()), HandshakeRefusal.NOT_A_MEMBER);
    assertThat(a.refusals().get(HandshakeRefusal.NOT_A_MEMBER)).isEqualTo(1);
  }

  @Test
  void anotherChainOrAnotherGenesisIsRefusedWithItsOwnReason() throws Exception {
    SessionKeys b = f.keys(f.bob);
    SessionKeys otherChain = f.keys(f.alice, ChainBinding.of("neighbours", "11".repeat(32)), f.members);
    SessionHandshake r1 = SessionHandshake.respond(b, HandshakePattern.IK);
    byte[] m1 = SessionHandshake.initiateIK(otherChain, f.bob.publicKeyHex()).write();
    assertRefused(() -> r1.read(m1), HandshakeRefusal.WRONG_CHAIN);

    SessionKeys otherGenesis = f.keys(f.alice, ChainBinding.of("family", "22".repeat(32)), f.members);
    SessionHandshake r2 = SessionHandshake.respond(b, HandshakePattern.IK);
    byte[] m2 = SessionHandshake.initiateIK(otherGenesis, f.bob.publicKeyHex()).write();
    assertRefused(() -> r2.read(m2), HandshakeRefusal.WRONG_GENESIS);

    // and the initiator checks the responder's binding the same way
    SessionHandshake init = SessionHandshake.initiateIK(f.keys(f.alice), f.bob.publicKeyHex());
    SessionHandshake r3 = SessionHandshake.respond(
        f.keys(f.bob, ChainBinding.of("family", "33".repeat(32)), f.members), HandshakePattern.IK);
    byte[] m3 = init.write();
    assertRefused(() -> r3.read(m3), HandshakeRefusal.WRONG_GENESIS);
    assertThat(b.refusals().snapshot())
        .isEqualTo(Map.of(HandshakeRefusal.WRONG_CHAIN, 1L, HandshakeRefusal.WRONG_GENESIS, 1L));
  }

  @Test
  void aReplayedInitiationIsRefusedAndTheLiveSessionSurvives() throws Exception {
    SessionKeys a = f.keys(f.alice);
    SessionKeys b = f.keys(f.bob);
    SessionHandshake init = SessionHandshake.initiateIK(a, f.bob.publicKeyHex());
    SessionHandshake resp = SessionHandshake.respond(b, HandshakePattern.IK);
    byte[] first = init.write();
    resp.read(first);
    init.read(resp.write());
    TransportSession alice = init.established(0);
    TransportSession bob = resp.established(0);

    SessionHandshake replay = SessionHandshake.respond(b, HandshakePattern.IK);
    assertRefused(() -> replay.read(first), HandshakeRefusal.REPLAYED);
    assertThat(b.refusals().snapshot()).isEqualTo(Map.of(HandshakeRefusal.REPLAYED, 1L));
    assertRoundTrips(alice, bob);

    // a genuinely new initiation (even in the same millisecond) is accepted
    TransportSession[] again = SessionFixture.run(SessionHandshake.initiateIK(a, f.bob.publicKeyHex()),
        SessionHandshake.respond(b, HandshakePattern.IK));
    assertRoundTrips(again[0], again[1]);
  }

  @Test
  void aFlippedBitOrATruncatedHandshakeMessageIsRefused() throws Exception {
    SessionKeys b = f.keys(f.bob);
    byte[] msg = SessionHandshake.initiateIK(f.keys(f.alice), f.bob.publicKeyHex()).write();
    for (int bit : new int[] {0, 8 * 40, 8 * msg.length - 1}) { // ephemeral, static, payload tag
      byte[] flipped = msg.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      SessionHandshake r = SessionHandshake.respond(b, HandshakePattern.IK);
      assertRefused(() -> r.read(flipped), HandshakeRefusal.DECRYPT_FAILED);
    }
    for (int len : new int[] {0, 31, 32 + 47, 32 + 48 + 15}) {
      SessionHandshake r = SessionHandshake.respond(b, HandshakePattern.IK);
      byte[] cut = java.util.Arrays.copyOf(msg, len);
      assertRefused(() -> r.read(cut), HandshakeRefusal.MALFORMED);
    }
    assertThat(b.refusals().snapshot())
        .isEqualTo(Map.of(HandshakeRefusal.DECRYPT_FAILED, 3L, HandshakeRefusal.MALFORMED, 4L));
    // the untouched message still completes a handshake: nothing was consumed by the refusals
    SessionHandshake r = SessionHandshake.respond(b, HandshakePattern.IK);
    r.read(msg);
    assertThat(r.peer()).contains(f.alice.publicKeyHex());
  }

  @Test
  void aSessionKeyIsTheIdentitysOwn() throws Exception {
    // Bob's responder key is derived from his identity: an impostor with Bob's public key but
    // another private key cannot answer Alice's IK message.
    Identity impostor = Identity.generate();
    SessionKeys fake = new SessionKeys(f.keys(impostor).staticKey(), f.bob.publicKeyHex(), SessionFixture.CHAIN,
        f.members, new InitiationReplayGuard(), new HandshakeTimestamps(f.wallClock::get),
        f.keys(impostor).ephemerals(), f.keys(impostor).hash(), RekeyPolicy.DEFAULT,
        new ReasonCounts<>(HandshakeRefusal.class), new ReasonCounts<>(DropReason.class));
    SessionHandshake r = SessionHandshake.respond(fake, HandshakePattern.IK);
    byte[] m = SessionHandshake.initiateIK(f.keys(f.alice), f.bob.publicKeyHex()).write();
    assertRefused(() -> r.read(m), HandshakeRefusal.DECRYPT_FAILED);
  }

  @Test
  void aRemovedMemberCannotHandshakeAgain() throws Exception {
    SessionKeys a = f.keys(f.alice);
    SessionKeys b = f.keys(f.bob);
    TransportSession[] s = SessionFixture.run(SessionHandshake.initiateIK(a, f.bob.publicKeyHex()),
        SessionHandshake.respond(b, HandshakePattern.IK));
    // the block that removes Alice: Bob's authorized set shrinks, and the caller closes her session
    SessionKeys bAfter = b.withMembers(Members.of(List.of(f.bob.publicKeyHex())));
    s[1].close();
    SessionHandshake r = SessionHandshake.respond(bAfter, HandshakePattern.IK);
    byte[] m = SessionHandshake.initiateIK(a, f.bob.publicKeyHex()).write();
    assertRefused(() -> r.read(m), HandshakeRefusal.NOT_A_MEMBER);
    assertThat(s[1].open(0, s[0].seal(0, "x".getBytes(StandardCharsets.UTF_8))).dropped())
        .isEqualTo(DropReason.EXPIRED);
  }

  static void assertRoundTrips(TransportSession x, TransportSession y) {
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(y.open(0, x.seal(0, hello)).payload()).isEqualTo(hello);
    assertThat(x.open(0, y.seal(0, hello)).payload()).isEqualTo(hello);
  }

  interface Step {
    void run() throws Exception;
  }

  static void assertRefused(Step step, HandshakeRefusal reason) {
    assertThatThrownBy(step::run).isInstanceOfSatisfying(HandshakeRefusedException.class,
        e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
