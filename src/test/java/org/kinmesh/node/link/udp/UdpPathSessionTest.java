package org.kinmesh.node.link.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.util.ManualTimeSource;

class UdpPathSessionTest {
  private static final long MS = 1_000_000L;
  private static final String CHAIN = "family";
  private static final Identity ID_A = Identity.fromSeed(new byte[32]);
  private static final Identity ID_B = Identity.fromSeed(filled(2));
  private final ManualTimeSource clock = new ManualTimeSource(1_700_000_000_000L);
  private final UdpPathSession a = new UdpPathSession(authOfA(), 11, 0);
  private final UdpPathSession b = new UdpPathSession(new SessionAuth(ID_B, CHAIN, ID_A.publicKeyHex(), clock), 22, 0);

  private SessionAuth authOfA() {
    return new SessionAuth(ID_A, CHAIN, ID_B.publicKeyHex(), clock);
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  /** Delivers datagrams back and forth until both sides are quiet; returns what b received. */
  private List<byte[]> exchange(List<Buffer> fromA, long now) {
    List<byte[]> atB = new ArrayList<>();
    List<Buffer> toB = new ArrayList<>(fromA);
    List<Buffer> toA = new ArrayList<>();
    while (!toB.isEmpty() || !toA.isEmpty()) {
      for (Buffer d : toB) {
        UdpPathSession.Inbound in = b.onFrame(LinkFrame.parse(d), now);
        atB.addAll(in.messages());
        toA.addAll(in.replies());
      }
      toB.clear();
      for (Buffer d : toA) {
        toB.addAll(a.onFrame(LinkFrame.parse(d), now).replies());
      }
      toA.clear();
    }
    return atB;
  }

  @Test
  void messagesCrossAndAreAcknowledged() {
    byte[] big = new byte[20_000];
    new java.util.Random(1).nextBytes(big);
    List<byte[]> got = exchange(a.send(big, 0), MS);
    assertEquals(1, got.size());
    assertArrayEquals(big, got.get(0));
    assertTrue(a.unacknowledged().isEmpty());
    assertEquals(0, a.nextDeadline(), "only the first heartbeat is due");
  }

  @Test
  void heartbeatsMeasureTheRoundTripEveryThreeSeconds() {
    List<Buffer> ping = a.tick(0);
    assertEquals(1, ping.size());
    Buffer pong = b.onFrame(LinkFrame.parse(ping.get(0)), 2 * MS).replies().get(0);
    assertEquals(5 * MS, a.onFrame(LinkFrame.parse(pong), 5 * MS).rttNanos());
    assertTrue(a.tick(5 * MS).isEmpty(), "next ping not due");
    assertHeartbeatAfter(0, a.nextDeadline());
    assertEquals(5 * MS, a.lastHeard());
  }

  @Test
  void heartbeatIntervalsAreJitteredWithinTheirSpread() {
    java.util.Set<Long> intervals = new java.util.HashSet<>();
    long now = 0;
    for (int i = 0; i < 50; i++) {
      assertEquals(1, a.tick(now).size(), "a ping when due");
      long next = a.nextDeadline();
      assertHeartbeatAfter(now, next);
      assertTrue(a.tick(next - 1).isEmpty(), "not before it is due");
      intervals.add(next - now);
      now = next;
    }
    assertTrue(intervals.size() > 1, "not in lockstep: " + intervals);
  }

  private static void assertHeartbeatAfter(long sentAt, long next) {
    long spread = (long) (UdpPathSession.HEARTBEAT_NANOS * UdpPathSession.HEARTBEAT_JITTER);
    assertTrue(next - sentAt >= UdpPathSession.HEARTBEAT_NANOS - spread
        && next - sentAt <= UdpPathSession.HEARTBEAT_NANOS + spread, "next ping " + (next - sentAt) + " ns later");
  }

  @Test
  void aRestartedPeerIsJoinedAtItsNewStreamAndItsOldStreamStaysClosed() {
    exchange(a.send(new byte[] {1}, 0), MS);
    clock.advanceSeconds(5);
    UdpPathSession restartedA = new UdpPathSession(authOfA(), 33, 0);
    List<Buffer> data = restartedA.send(new byte[] {2}, 2 * MS);
    assertEquals(2, data.size(), "the signed OPEN, then the DATA");
    assertTrue(b.onFrame(LinkFrame.parse(data.get(0)), 2 * MS).fromPeer(), "the OPEN verifies");
    UdpPathSession.Inbound in = b.onFrame(LinkFrame.parse(data.get(1)), 2 * MS);
    assertEquals(1, in.messages().size(), "a new session is a new stream");
    assertArrayEquals(new byte[] {2}, in.messages().get(0));
    Buffer lateOld = new LinkFrame.Data(11, 1, 0, 0, 1, new byte[] {9}).encode();
    assertTrue(b.onFrame(LinkFrame.parse(lateOld), 3 * MS).messages().isEmpty(), "retired session");
    restartedA.onFrame(LinkFrame.parse(in.replies().get(0)), 3 * MS);
    assertEquals(1, restartedA.send(new byte[] {3}, 4 * MS).size(), "acknowledged: no more OPENs");
  }

  @Test
  void aPeerThatForgotOurStreamIsOpenedAgainByTheNextRetransmission() {
    // A laptop wakes after a minute: meanwhile its peer's path timed out and was set up anew, so
    // the peer no longer knows the stream it once acknowledged. Our retransmissions must carry
    // the OPEN again, or every DATA is dropped as unverified until our retries run out (~17 s).
    exchange(a.send(new byte[] {1}, 0), MS);
    UdpPathSession freshB = new UdpPathSession(new SessionAuth(ID_B, CHAIN, ID_A.publicKeyHex(), clock), 44, 0);
    long now = 2 * MS;
    List<byte[]> delivered = new ArrayList<>();
    for (Buffer d : a.send(new byte[] {2}, now)) {
      delivered.addAll(freshB.onFrame(LinkFrame.parse(d), now).messages());
    }
    assertTrue(delivered.isEmpty(), "the peer cannot know the stream yet");
    // The first retransmission: the heartbeat may be due before it, so tick to each deadline.
    int retransmissions = 0;
    for (int i = 0; i < 5 && delivered.isEmpty(); i++) {
      now = Math.max(now, a.nextDeadline());
      for (Buffer d : a.tick(now)) {
        LinkFrame f = LinkFrame.parse(d);
        retransmissions += f instanceof LinkFrame.Data ? 1 : 0;
        delivered.addAll(freshB.onFrame(f, now).messages());
      }
    }
    assertEquals(1, retransmissions, "delivered at the first retransmission");
    assertEquals(1, delivered.size(), "the retransmission opened the stream again and was delivered");
    assertArrayEquals(new byte[] {2}, delivered.get(0));
  }

  @Test
  void ourFirstDataGoesOutBehindASignedOpen() {
    List<Buffer> out = a.send(new byte[] {1}, 0);
    assertEquals(2, out.size());
    LinkFrame.Open open = (LinkFrame.Open) LinkFrame.parse(out.get(0));
    assertEquals(11, open.session());
    assertEquals(clock.nowSeconds(), open.ts());
    assertTrue(org.kinmesh.crypto.Ed25519.verify(ID_A.publicKeyHex(), org.kinmesh.crypto.Hex.encode(open.sig()),
        SessionAuth.canonical(CHAIN, ID_A.publicKeyHex(), ID_B.publicKeyHex(), 11, open.ts())));
    assertEquals(83, open.encode().length());
  }

  @Test
  void dataOfASessionNoOpenProvedIsDroppedAndCounted() {
    Buffer data = new LinkFrame.Data(11, 0, 0, 0, 1, new byte[] {1}).encode();
    UdpPathSession.Inbound in = b.onFrame(LinkFrame.parse(data), MS);
    assertTrue(in.unverified() && in.messages().isEmpty() && in.replies().isEmpty() && !in.fromPeer());
  }

  @Test
  void forgedStaleOrReplayedOpensDoNotReplaceTheLiveStream() {
    exchange(a.send(new byte[] {1}, 0), MS);
    Identity stranger = Identity.fromSeed(filled(7));
    LinkFrame.Open forged = new SessionAuth(stranger, CHAIN, ID_B.publicKeyHex(), clock).open(999);
    assertTrue(b.onFrame(forged, 2 * MS).unverified(), "signed by another key");
    LinkFrame.Open badSig = new LinkFrame.Open(999, clock.nowSeconds(), new byte[64]);
    assertTrue(b.onFrame(badSig, 2 * MS).unverified(), "signature of zeros");
    LinkFrame.Open otherChain = new SessionAuth(ID_A, "other", ID_B.publicKeyHex(), clock).open(999);
    assertTrue(b.onFrame(otherChain, 2 * MS).unverified(), "another blockchain");
    LinkFrame.Open old = authOfA().open(998);
    clock.advanceSeconds(SessionAuth.FRESHNESS_SECS + 1);
    assertTrue(b.onFrame(old, 2 * MS).unverified(), "stale");
    List<byte[]> got = exchange(a.send(new byte[] {2}, 3 * MS), 3 * MS);
    assertEquals(1, got.size(), "the live stream still delivers");
  }

  @Test
  void opensAreCheckedAtMostAtTheRatePerPath() {
    exchange(a.send(new byte[] {1}, 0), MS);
    for (int i = 0; i < SessionAuth.CHECK_BURST; i++) {
      assertTrue(b.onFrame(new LinkFrame.Open(1000 + i, clock.nowSeconds(), new byte[64]), MS).unverified());
    }
    clock.advanceSeconds(1);
    UdpPathSession restartedA = new UdpPathSession(authOfA(), 33, 0);
    List<Buffer> out = restartedA.send(new byte[] {2}, 2 * MS);
    b.onFrame(LinkFrame.parse(out.get(0)), 2 * MS);
    assertEquals(1, b.onFrame(LinkFrame.parse(out.get(1)), 2 * MS).messages().size(),
        "a second refills the checks: the real open gets through");
  }

  @Test
  void unansweredOrForeignFramesAreNotHeard() {
    Buffer stalePong = new LinkFrame.Pong(11, 12345).encode();
    UdpPathSession.Inbound in = a.onFrame(LinkFrame.parse(stalePong), MS);
    assertEquals(-1, in.rttNanos(), "no ping outstanding");
    assertTrue(!in.fromPeer());
    Buffer foreignAck = new LinkFrame.Ack(77, 1, 0).encode();
    assertTrue(!a.onFrame(LinkFrame.parse(foreignAck), MS).fromPeer());
    assertEquals(0, a.lastHeard());
  }

  @Test
  void aSpoofedDataFrameWithANewSessionLeavesTheLiveStreamAlone() {
    exchange(a.send(new byte[] {1}, 0), MS);
    Buffer spoofed = new LinkFrame.Data(999, 0, 0, 0, 1, new byte[] {6, 6, 6}).encode();
    UdpPathSession.Inbound in = b.onFrame(LinkFrame.parse(spoofed), 2 * MS);
    assertTrue(in.messages().isEmpty(), "nothing delivered from an unproven session");
    assertTrue(in.unverified(), "counted as unverified");
    List<byte[]> got = exchange(a.send(new byte[] {2}, 3 * MS), 3 * MS);
    assertEquals(1, got.size(), "the live stream still delivers");
    assertArrayEquals(new byte[] {2}, got.get(0));
  }

  /**
   * The peer closed its path and opened a new one (it deauthorized us for a while: a suspension
   * that expired). Its new path knows nothing of our stream, so our DATA alone would be dropped as
   * unverified until our retransmissions run out (seconds of silence): its new OPEN makes us
   * announce ours again.
   */
  @Test
  void aPeerThatOpensANewPathGetsOurOpenAgain() {
    // b's stream to a is open and acknowledged.
    List<Buffer> toA = new ArrayList<>(b.send(new byte[] {1}, 0));
    for (Buffer d : toA) {
      for (Buffer r : a.onFrame(LinkFrame.parse(d), MS).replies()) {
        b.onFrame(LinkFrame.parse(r), MS);
      }
    }
    clock.advanceSeconds(5);
    UdpPathSession newA = new UdpPathSession(authOfA(), 33, 0);
    for (Buffer d : newA.send(new byte[] {3}, 3 * MS)) {
      b.onFrame(LinkFrame.parse(d), 3 * MS);
    }
    List<byte[]> atNewA = new ArrayList<>();
    for (Buffer d : b.send(new byte[] {4}, 4 * MS)) {
      UdpPathSession.Inbound in = newA.onFrame(LinkFrame.parse(d), 4 * MS);
      assertTrue(!in.unverified(), "our frames must prove our session to its new path");
      atNewA.addAll(in.messages());
    }
    assertTrue(atNewA.stream().anyMatch(m -> m.length == 1 && m[0] == 4), "the new path delivers our message");
  }
}
