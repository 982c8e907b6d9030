package org.kinmesh.consensus.pbft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;

/** Four keys (threshold 3), one replica under test, and signed envelopes from any key. */
final class Fixture {
  final List<Identity> ids = IntStream.rangeClosed(1, 4).mapToObj(TestKeys::key)
      .sorted((a, b) -> a.publicKeyHex().compareTo(b.publicKeyHex())).toList();
  final Membership membership = Membership.of(ids.stream().map(Identity::publicKeyHex).toList(), QuorumPolicy.defaults());
  final Identity outsider = TestKeys.key(99);
  final EnvelopeCodec codec = new EnvelopeCodec(SimNetwork.CHAIN);

  /** The replica under test is the last key: never the primary of views 0..2. */
  Identity self() {
    return ids.get(3);
  }

  Replica replica() {
    Replica r = new Replica(SimNetwork.simConfig(), Signer.of(self()),
        Replica.Resume.genesis(SimNetwork.GENESIS, membership));
    Fixture.handle(r, new Event.Start());
    return r;
  }

  static byte[] payload(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String digest(byte[] payload) {
    return Hex.encode(Ed25519.sha256(payload));
  }

  static Envelope.PrePrepare prePrepare(Identity by, long view, long height, byte[] payload) {
    return prePrepare(by, SimNetwork.CHAIN, view, height, payload);
  }

  static Envelope.PrePrepare prePrepare(Identity by, String chain, long view, long height, byte[] payload) {
    Envelope.PrePrepare pp = new Envelope.PrePrepare(chain, view, height, digest(payload), payload, by.publicKeyHex(), null);
    return new Envelope.PrePrepare(chain, view, height, digest(payload), payload, by.publicKeyHex(),
        by.sign(pp.canonical()));
  }

  static Envelope.Prepare prepare(Identity by, String chain, long view, long height, String digest) {
    Envelope.Prepare p = new Envelope.Prepare(chain, view, height, digest, by.publicKeyHex(), null);
    return new Envelope.Prepare(chain, view, height, digest, by.publicKeyHex(), by.sign(p.canonical()));
  }

  static Envelope.Commit commit(Identity by, long view, long height, String digest) {
    Envelope.Commit c = new Envelope.Commit(SimNetwork.CHAIN, view, height, digest, by.publicKeyHex(), null);
    return new Envelope.Commit(SimNetwork.CHAIN, view, height, digest, by.publicKeyHex(), by.sign(c.canonical()));
  }

  static CommitCertificate certificate(List<Identity> signers, long view, long height, String digest) {
    List<Envelope.Commit> commits = new ArrayList<>();
    for (Identity id : signers) {
      commits.add(commit(id, view, height, digest));
    }
    return new CommitCertificate(SimNetwork.CHAIN, view, height, digest, commits);
  }

  static Envelope.Block block(Identity by, long height, byte[] payload, CommitCertificate cert) {
    Envelope.Block b = new Envelope.Block(SimNetwork.CHAIN, cert.view(), height, digest(payload), payload, cert,
        by.publicKeyHex(), null);
    return new Envelope.Block(SimNetwork.CHAIN, cert.view(), height, digest(payload), payload, cert,
        by.publicKeyHex(), by.sign(b.canonical()));
  }

  static List<RejectReason> rejections(List<Action> actions) {
    return actions.stream().filter(a -> a instanceof Action.Rejected).map(a -> ((Action.Rejected) a).reason()).toList();
  }

  static List<Action.Committed> commits(List<Action> actions) {
    return actions.stream().filter(a -> a instanceof Action.Committed).map(a -> (Action.Committed) a).toList();
  }

  /** As the host does: answers each Validate (payload must hash to the digest) after its batch. */
  static List<Action> handle(Replica r, Event e) {
    return TestJudge.HASH.handle(r, e);
  }

  /** Through the codec, as from the network. */
  List<Action> deliver(Replica r, Envelope e) throws EnvelopeException {
    return handle(r, new Event.Received(codec.decode(codec.encode(e))));
  }
}
