package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/** Commit certificates: the static check the ledger can use, and catch-up that relies on it. */
class CertificateTest {
  private final Fixture fx = new Fixture();
  private final byte[] payload = Fixture.payload("block 1");
  private final String digest = Fixture.digest(payload);

  @Test
  void aThresholdOfDistinctAuthorizedSignedCommitsVerifies() {
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 2, 1, digest);
    assertThat(CommitCertificate.verify(cert, fx.membership.keys(), 3)).isTrue();
    assertThat(cert.signers()).hasSize(3).isSorted();
  }

  @Test
  void tooFewDuplicatedOutsideOrMismatchedCommitsDoNot() {
    List<String> keys = fx.membership.keys();
    assertThat(CommitCertificate.verify(Fixture.certificate(fx.ids.subList(0, 2), 0, 1, digest), keys, 3)).isFalse();
    List<Identity> dup = List.of(fx.ids.get(0), fx.ids.get(1), fx.ids.get(1));
    assertThat(CommitCertificate.verify(Fixture.certificate(dup, 0, 1, digest), keys, 3)).isFalse();
    List<Identity> outside = List.of(fx.ids.get(0), fx.ids.get(1), fx.outsider);
    assertThat(CommitCertificate.verify(Fixture.certificate(outside, 0, 1, digest), keys, 3)).isFalse();
    // One commit for another view: a certificate is one view, one height, one digest.
    CommitCertificate mixed = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    List<Envelope.Commit> commits = new ArrayList<>(mixed.commits());
    commits.set(2, Fixture.commit(fx.ids.get(2), 1, 1, digest));
    assertThat(CommitCertificate.verify(new CommitCertificate(SimNetwork.CHAIN, 0, 1, digest, commits), keys, 3))
        .isFalse();
    assertThat(CommitCertificate.verify(null, keys, 3)).isFalse();
  }

  @Test
  void aForgedSignatureFailsTheStaticCheck() {
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    List<Envelope.Commit> commits = new ArrayList<>(cert.commits());
    Envelope.Commit c = commits.get(0);
    commits.set(0, new Envelope.Commit(c.blockchainId(), c.view(), c.height(), c.digest(), c.sender(),
        commits.get(1).signature()));
    CommitCertificate forged = new CommitCertificate(SimNetwork.CHAIN, 0, 1, digest, commits);
    assertThat(forged.hasQuorum(fx.membership.keys(), 3)).isTrue(); // structure alone looks fine
    assertThat(CommitCertificate.verify(forged, fx.membership.keys(), 3)).isFalse();
  }

  @Test
  void aFetchedBlockWithAValidCertificateCommits() throws Exception {
    Replica r = fx.replica();
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    List<Action> out = fx.deliver(r, Fixture.block(fx.ids.get(0), 1, payload, cert));
    assertThat(Fixture.commits(out)).singleElement().satisfies(c -> assertThat(c.digest()).isEqualTo(digest));
  }

  @Test
  void aFetchedBlockWithAnInsufficientCertificateIsRefused() throws Exception {
    Replica r = fx.replica();
    CommitCertificate two = Fixture.certificate(fx.ids.subList(0, 2), 0, 1, digest);
    List<Action> out = fx.deliver(r, Fixture.block(fx.ids.get(0), 1, payload, two));
    assertThat(Fixture.commits(out)).isEmpty();
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_CERTIFICATE);
    // Signed by two members and an outsider: still not a quorum of the membership.
    CommitCertificate outside = Fixture.certificate(List.of(fx.ids.get(0), fx.ids.get(1), fx.outsider), 0, 1, digest);
    out = fx.deliver(r, Fixture.block(fx.ids.get(0), 1, payload, outside));
    assertThat(Fixture.commits(out)).isEmpty();
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_CERTIFICATE);
    assertThat(r.committedHeight()).isZero();
  }

  @Test
  void aFetchedBlockWithAForgedCertificateIsRefusedAtTheEdge() {
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    List<Envelope.Commit> commits = new ArrayList<>(cert.commits());
    Envelope.Commit c = commits.get(2);
    commits.set(2, new Envelope.Commit(c.blockchainId(), c.view(), c.height(), c.digest(), c.sender(),
        commits.get(0).signature()));
    Envelope.Block b = Fixture.block(fx.ids.get(0), 1, payload,
        new CommitCertificate(SimNetwork.CHAIN, 0, 1, digest, commits));
    assertThatThrownBy(() -> fx.codec.decode(fx.codec.encode(b)))
        .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_SIGNATURE));
  }

  @Test
  void aCertifiedBlockWhosePayloadDoesNotMatchIsRefused() throws Exception {
    Replica r = fx.replica();
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    Envelope.Block swapped = new Envelope.Block(SimNetwork.CHAIN, 0, 1, digest, Fixture.payload("other"), cert,
        fx.ids.get(0).publicKeyHex(), null);
    swapped = new Envelope.Block(SimNetwork.CHAIN, 0, 1, digest, swapped.payload(), cert, swapped.sender(),
        fx.ids.get(0).sign(swapped.canonical()));
    List<Action> out = fx.deliver(r, swapped);
    assertThat(Fixture.commits(out)).isEmpty();
    assertThat(Fixture.rejections(out)).containsExactly(RejectReason.INVALID_PAYLOAD);
  }

  @Test
  void theStoredJsonFormRoundTripsAndVerifies() throws Exception {
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 4, 9, digest);
    String json = EnvelopeCodec.certificateJson(cert);
    CommitCertificate back = fx.codec.decodeCertificate(json);
    assertThat(back).isEqualTo(cert);
    assertThat(CommitCertificate.verify(back, fx.membership.keys(), 3)).isTrue();
  }
}
