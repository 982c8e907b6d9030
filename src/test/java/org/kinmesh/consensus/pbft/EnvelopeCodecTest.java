package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

class EnvelopeCodecTest {
  private final Fixture fx = new Fixture();
  private final byte[] payload = Fixture.payload("block 2");
  private final String digest = Fixture.digest(payload);

  @Test
  void everyKindRoundTripsByteForByte() throws Exception {
    for (Envelope e : samples()) {
      byte[] bytes = fx.codec.encode(e);
      Envelope back = fx.codec.decode(bytes);
      assertThat(back.getClass()).isEqualTo(e.getClass());
      assertThat(fx.codec.encode(back)).as(e.getClass().getSimpleName()).isEqualTo(bytes);
      assertThat(back.signatureValid()).isTrue();
    }
  }

  @Test
  void oversizedEnvelopesAreRefusedBeforeParsing() {
    byte[] big = new byte[65_537];
    assertThat(reason(big)).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(reason(new EnvelopeCodec(SimNetwork.CHAIN, 100), fx.codec.encode(samples().get(0))))
        .isEqualTo(RejectReason.TOO_LARGE);
  }

  @Test
  void malformedInputIsRefusedWithItsReason() {
    Envelope.Prepare p = Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 2, digest);
    String good = new String(fx.codec.encode(p), StandardCharsets.UTF_8);
    assertThat(reason("not json")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason("[1]")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace("\"prepare\"", "\"vote\""))).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace(digest, digest.toUpperCase()))).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace("\"view\":0", "\"view\":-1"))).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace("\"height\":2", "\"height\":0"))).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace("\"view\":0", "\"view\":0,\"view\":0"))).isEqualTo(RejectReason.MALFORMED);
    assertThat(reason(good.replace(",\"sig\":\"" + p.signature() + "\"", ""))).isEqualTo(RejectReason.MALFORMED);
    // Unknown fields are ignored (PROTOCOL.md §1).
    assertThat(reason(good.replace("{", "{\"extra\":1,"))).isNull();
  }

  @Test
  void listsAreBounded() {
    Identity by = fx.ids.get(0);
    List<Envelope.Commit> many = new ArrayList<>();
    Envelope.Commit c = Fixture.commit(by, 0, 1, digest);
    for (int i = 0; i < EnvelopeCodec.MAX_ITEMS + 1; i++) {
      many.add(c);
    }
    CommitCertificate cert = new CommitCertificate(SimNetwork.CHAIN, 0, 1, digest, many);
    String json = EnvelopeCodec.certificateJson(cert);
    assertThat(json.length()).isLessThan(65_536); // refused for the count, not the size
    assertThatThrownBy(() -> fx.codec.decodeCertificate(json)).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("more than " + EnvelopeCodec.MAX_ITEMS);
    String small = EnvelopeCodec.certificateJson(new CommitCertificate(SimNetwork.CHAIN, 0, 1, digest, many.subList(0, 3)));
    assertThat(catching(() -> fx.codec.decodeCertificate(small))).isNull();
  }

  @Test
  void aBadNestedSignatureFailsTheWholeEnvelope() {
    Envelope.ViewChange vc = viewChange(fx.ids.get(0), true);
    List<Envelope.Prepare> prepares = new ArrayList<>(vc.prepared().prepares());
    Envelope.Prepare p = prepares.get(1);
    prepares.set(1, new Envelope.Prepare(p.blockchainId(), p.view(), p.height(), p.digest(), p.sender(),
        prepares.get(0).signature()));
    PreparedCertificate forged = new PreparedCertificate(vc.prepared().prePrepare(), prepares);
    Envelope.ViewChange bad = sign(fx.ids.get(0), new Envelope.ViewChange(SimNetwork.CHAIN, 1, 2, vc.committed(), forged,
        payload, fx.ids.get(0).publicKeyHex(), null));
    assertThat(reason(fx.codec.encode(bad))).isEqualTo(RejectReason.BAD_SIGNATURE);
  }

  @Test
  void aPrePrepareOutsideACertificateNeedsItsPayload() {
    Envelope.PrePrepare pp = Fixture.prePrepare(fx.ids.get(0), 0, 2, payload).withoutPayload();
    assertThat(reason(fx.codec.encode(pp))).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void aStaleVoteIsDroppedBeforeItsSignatureIsChecked() throws Exception {
    // A replica that committed height 2: votes for 1 and 2 are stale whoever signed them.
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 2, digest);
    Replica r = new Replica(SimNetwork.simConfig(), Signer.of(fx.self()),
        new Replica.Resume(2, digest, cert, 0, fx.membership));
    Envelope.Commit good = Fixture.commit(fx.ids.get(0), 0, 2, digest);
    Envelope.Commit forged = new Envelope.Commit(SimNetwork.CHAIN, 0, 2, digest, good.sender(),
        Fixture.commit(fx.ids.get(1), 0, 2, digest).signature());
    Envelope parsed = fx.codec.parse(fx.codec.encode(forged));
    assertThat(r.isStale(parsed)).isTrue();
    assertThatThrownBy(() -> fx.codec.verified(parsed)).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("does not verify");
    // The next height is not stale: it must pass the signature check before the replica sees it.
    Envelope.Commit next = Fixture.commit(fx.ids.get(0), 0, 3, digest);
    Envelope.Commit nextForged = new Envelope.Commit(SimNetwork.CHAIN, 0, 3, digest, next.sender(),
        forged.signature());
    assertThat(r.isStale(fx.codec.parse(fx.codec.encode(next)))).isFalse();
    assertThat(reason(fx.codec.encode(nextForged))).isEqualTo(RejectReason.BAD_SIGNATURE);
    // Checkpoints and view changes are never skipped this way (they matter below the head too).
    assertThat(r.isStale(samples().get(3))).isFalse();
    assertThat(r.isStale(viewChange(fx.ids.get(0), true))).isFalse();
    // Another chain's vote is not ours to call stale: the replica refuses it for its chain.
    Envelope.Commit other = new Envelope.Commit("other-chain", 0, 1, digest, good.sender(), good.signature());
    assertThat(r.isStale(other)).isFalse();
  }

  // --- samples ------------------------------------------------------------------------------------

  List<Envelope> samples() {
    Identity a = fx.ids.get(0);
    List<Envelope> out = new ArrayList<>();
    out.add(Fixture.prePrepare(a, 0, 2, payload));
    out.add(Fixture.prepare(a, SimNetwork.CHAIN, 0, 2, digest));
    out.add(Fixture.commit(a, 0, 2, digest));
    out.add(sign(a, new Envelope.Checkpoint(SimNetwork.CHAIN, 0, 16, digest, a.publicKeyHex(), null)));
    out.add(viewChange(a, true));
    out.add(viewChange(a, false));
    Identity p1 = fx.membership.primary(1).equals(fx.ids.get(1).publicKeyHex()) ? fx.ids.get(1) : fx.ids.get(0);
    List<Envelope.ViewChange> vcs = List.of(viewChange(fx.ids.get(0), true).withoutPayload(),
        viewChange(fx.ids.get(1), false), viewChange(fx.ids.get(2), false));
    out.add(sign(p1, new Envelope.NewView(SimNetwork.CHAIN, 1, 2, vcs, Fixture.prePrepare(p1, 1, 2, payload),
        p1.publicKeyHex(), null)));
    out.add(sign(a, new Envelope.Fetch(SimNetwork.CHAIN, 0, 1, 4, a.publicKeyHex(), null)));
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 2, digest);
    out.add(Fixture.block(a, 2, payload, cert));
    return out;
  }

  /** A view change to view 1 at height 2, with a prepared certificate for view 0 if asked. */
  Envelope.ViewChange viewChange(Identity by, boolean withPrepared) {
    byte[] one = Fixture.payload("block 1");
    CommitCertificate committed = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, Fixture.digest(one));
    PreparedCertificate prepared = null;
    if (withPrepared) {
      List<Envelope.Prepare> prepares = new ArrayList<>();
      for (Identity id : fx.ids.subList(0, 3)) {
        prepares.add(Fixture.prepare(id, SimNetwork.CHAIN, 0, 2, digest));
      }
      prepared = new PreparedCertificate(Fixture.prePrepare(fx.ids.get(0), 0, 2, payload), prepares);
    }
    return sign(by, new Envelope.ViewChange(SimNetwork.CHAIN, 1, 2, committed, prepared,
        withPrepared ? payload : null, by.publicKeyHex(), null));
  }

  @SuppressWarnings("unchecked")
  static <T extends Envelope> T sign(Identity by, T e) {
    String sig = by.sign(e.canonical());
    if (e instanceof Envelope.Checkpoint c) {
      return (T) new Envelope.Checkpoint(c.blockchainId(), c.view(), c.height(), c.digest(), c.sender(), sig);
    } else if (e instanceof Envelope.ViewChange v) {
      return (T) new Envelope.ViewChange(v.blockchainId(), v.view(), v.height(), v.committed(), v.prepared(),
          v.preparedPayload(), v.sender(), sig);
    } else if (e instanceof Envelope.NewView n) {
      return (T) new Envelope.NewView(n.blockchainId(), n.view(), n.height(), n.viewChanges(), n.reproposal(),
          n.sender(), sig);
    } else if (e instanceof Envelope.Fetch f) {
      return (T) new Envelope.Fetch(f.blockchainId(), f.view(), f.height(), f.toHeight(), f.sender(), sig);
    }
    throw new IllegalArgumentException("sign it with Fixture");
  }

  private RejectReason reason(String json) {
    return reason(json.getBytes(StandardCharsets.UTF_8));
  }

  private RejectReason reason(byte[] bytes) {
    return reason(fx.codec, bytes);
  }

  private static RejectReason reason(EnvelopeCodec codec, byte[] bytes) {
    try {
      codec.decode(bytes);
      return null;
    } catch (EnvelopeException e) {
      return e.reason();
    }
  }

  interface Call {
    Object run() throws Exception;
  }

  private static Exception catching(Call c) {
    try {
      c.run();
      return null;
    } catch (Exception e) {
      return e;
    }
  }
}
