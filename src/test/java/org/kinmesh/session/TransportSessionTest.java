package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.noise.HandshakePattern;

class TransportSessionTest {
  private final SessionFixture f = new SessionFixture();
  private final SessionKeys a = f.keys(f.alice);
  private final SessionKeys b = f.keys(f.bob);
  private final TransportSession alice;
  private final TransportSession bob;

  TransportSessionTest() throws Exception {
    TransportSession[] s = SessionFixture.run(SessionHandshake.initiateIK(a, f.bob.publicKeyHex()),
        SessionHandshake.respond(b, HandshakePattern.IK));
    alice = s[0];
    bob = s[1];
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Any single flipped bit (counter, ciphertext or tag) is dropped; the untouched frame still opens. */
  @Property(tries = 200)
  void aFlippedBitIsDroppedAndTheSessionSurvives(@ForAll @IntRange(min = 0, max = 100_000) int anyBit)
      throws Exception {
    TransportSessionTest t = new TransportSessionTest();
    byte[] frame = t.alice.seal(0, bytes("vote: commit 42 ok"));
    int bit = anyBit % (frame.length * 8);
    byte[] flipped = frame.clone();
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    TransportSession.Opened o = t.bob.open(0, flipped);
    assertThat(o.ok()).isFalse();
    assertThat(o.dropped()).isIn(DropReason.BAD_TAG, DropReason.TOO_OLD);
    assertThat(t.bob.open(0, frame).payload()).isEqualTo(bytes("vote: commit 42 ok"));
    assertThat(t.b.drops().total()).isEqualTo(1);
  }

  @Test
  void aTruncatedFrameIsDroppedAndCounted() {
    byte[] frame = alice.seal(0, bytes("x"));
    for (int len : new int[] {0, 7, 8, TransportSession.OVERHEAD - 1}) {
      assertThat(bob.open(0, Arrays.copyOf(frame, len)).dropped()).isEqualTo(DropReason.TRUNCATED);
    }
    // cut inside the ciphertext: long enough to parse, so the tag fails
    assertThat(bob.open(0, Arrays.copyOf(frame, frame.length - 1)).dropped()).isEqualTo(DropReason.BAD_TAG);
    assertThat(bob.open(0, frame).payload()).isEqualTo(bytes("x"));
    assertThat(b.drops().snapshot()).isEqualTo(Map.of(DropReason.TRUNCATED, 4L, DropReason.BAD_TAG, 1L));
  }

  @Test
  void aReplayedFrameIsDroppedOnceDelivered() {
    byte[] frame = alice.seal(0, bytes("tx"));
    assertThat(bob.open(0, frame).ok()).isTrue();
    assertThat(bob.open(0, frame).dropped()).isEqualTo(DropReason.REPLAYED);
    assertThat(bob.open(0, frame).dropped()).isEqualTo(DropReason.REPLAYED);
    assertThat(b.drops().get(DropReason.REPLAYED)).isEqualTo(2);
  }

  @Test
  void reorderedFramesWithinTheWindowAreAllDeliveredAndOlderOnesDropped() {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < ReplayWindow.SIZE + 10; i++) {
      frames.add(alice.seal(0, bytes("frame " + i)));
    }
    List<byte[]> early = new ArrayList<>(frames.subList(0, 10));
    List<byte[]> rest = new ArrayList<>(frames.subList(10, frames.size()));
    Collections.shuffle(rest, new Random(7));
    for (byte[] fr : rest) {
      assertThat(bob.open(0, fr).ok()).isTrue();
    }
    // the first 10 are now below the window: too old, even though never seen
    for (byte[] fr : early) {
      assertThat(bob.open(0, fr).dropped()).isEqualTo(DropReason.TOO_OLD);
    }
  }

  @Test
  void aFrameFromAnotherSessionFailsItsTag() throws Exception {
    TransportSession[] other = SessionFixture.run(SessionHandshake.initiateIK(a, f.bob.publicKeyHex()),
        SessionHandshake.respond(b, HandshakePattern.IK));
    assertThat(bob.open(0, other[0].seal(0, bytes("hi"))).dropped()).isEqualTo(DropReason.BAD_TAG);
  }

  @Test
  void theClockDecidesRekeyAndExpiry() {
    assertThat(alice.rekeyDecision(119_999)).isEqualTo(RekeyPolicy.Decision.KEEP);
    assertThat(alice.rekeyDecision(120_000)).isEqualTo(RekeyPolicy.Decision.REKEY);
    assertThat(bob.rekeyDecision(120_000)).isEqualTo(RekeyPolicy.Decision.KEEP);
    byte[] late = alice.seal(179_999, bytes("late"));
    assertThat(bob.open(180_000, late).dropped()).isEqualTo(DropReason.EXPIRED);
    assertThatThrownBy(() -> alice.seal(180_000, bytes("too late")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("start a new handshake");
  }

  @Test
  void aClosedSessionSealsNothingAndDropsEverything() {
    byte[] frame = alice.seal(0, bytes("before"));
    bob.close();
    assertThat(bob.isClosed()).isTrue();
    assertThat(bob.rekeyDecision(0)).isEqualTo(RekeyPolicy.Decision.EXPIRED);
    assertThat(bob.open(0, frame).dropped()).isEqualTo(DropReason.EXPIRED);
    assertThatThrownBy(() -> bob.seal(0, bytes("after")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }
}
