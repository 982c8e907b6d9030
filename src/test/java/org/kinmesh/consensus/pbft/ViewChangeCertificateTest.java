package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/**
 * A primary that dies between its COMMITs can leave one survivor committed and the others not:
 * their view changes then name different heights, and a NEW-VIEW needs them at one height. The
 * commit certificate a view change carries settles it at once, instead of a fetch after a
 * one-block wait (fetch_retry_ms, 2 s by default) racing the NEW-VIEW timer.
 */
class ViewChangeCertificateTest {
  private final Fixture fx = new Fixture();
  private final Replica replica = fx.replica(); // ids[3]; ids[0] is the primary of view 0
  private final byte[] payload = Fixture.payload("block 1");
  private final String digest = Fixture.digest(payload);

  @Test
  void aViewChangeWhoseCertificateProvesOurNextHeightCommitsTheBlockWeHold() throws Exception {
    fx.deliver(replica, Fixture.prePrepare(fx.ids.get(0), 0, 1, payload));
    fx.deliver(replica, Fixture.prepare(fx.ids.get(0), SimNetwork.CHAIN, 0, 1, digest));
    List<Action> out = fx.deliver(replica, Fixture.prepare(fx.ids.get(1), SimNetwork.CHAIN, 0, 1, digest));
    assertThat(out).as("prepared: our commit goes out").anyMatch(a -> a instanceof Action.Broadcast b
        && b.envelope() instanceof Envelope.Commit);
    out = fx.deliver(replica, Fixture.commit(fx.ids.get(1), 0, 1, digest));
    assertThat(Fixture.commits(out)).as("two commits of three").isEmpty();

    // ids[2] got the dead primary's commit and committed; its view change proves it.
    out = fx.deliver(replica, viewChangeAt2(fx.ids.get(2)));
    assertThat(Fixture.rejections(out)).isEmpty();
    assertThat(Fixture.commits(out)).extracting(Action.Committed::height).containsExactly(1L);
    assertThat(replica.committedHeight()).isEqualTo(1);
  }

  @Test
  void aViewChangeOneBlockAheadOfUsIsFetchedAtOnce() throws Exception {
    // We never saw block 1: fetch it now, the certificate says no vote of ours is merely late.
    List<Action> out = fx.deliver(replica, viewChangeAt2(fx.ids.get(2)));
    assertThat(Fixture.rejections(out)).isEmpty();
    assertThat(out).anyMatch(a -> a instanceof Action.Send s && s.envelope() instanceof Envelope.Fetch f
        && f.height() == 1 && s.to().equals(fx.ids.get(2).publicKeyHex()));
  }

  /** A view change to view 1 at height 2: block 1 committed in view 0 by ids[0..2]. */
  private Envelope.ViewChange viewChangeAt2(Identity by) {
    CommitCertificate cert = Fixture.certificate(fx.ids.subList(0, 3), 0, 1, digest);
    return EnvelopeCodecTest.sign(by, new Envelope.ViewChange(SimNetwork.CHAIN, 1, 2, cert, null, null,
        by.publicKeyHex(), null));
  }
}
