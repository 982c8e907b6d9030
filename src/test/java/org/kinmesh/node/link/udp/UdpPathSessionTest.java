package org.kinmesh.node.link.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpPathSessionTest {
  private static final long MS = 1_000_000L;
  private final UdpPathSession a = new UdpPathSession(11, 0);
  private final UdpPathSession b = new UdpPathSession(22, 0);

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
    UdpPathSession restartedA = new UdpPathSession(33, 0);
    List<Buffer> data = restartedA.send(new byte[] {2}, 2 * MS);
    UdpPathSession.Inbound in = b.onFrame(LinkFrame.parse(data.get(0)), 2 * MS);
    assertEquals(1, in.messages().size(), "a new session is a new stream");
    assertArrayEquals(new byte[] {2}, in.messages().get(0));
    Buffer lateOld = new LinkFrame.Data(11, 1, 0, 0, 1, new byte[] {9}).encode();
    assertTrue(b.onFrame(LinkFrame.parse(lateOld), 3 * MS).messages().isEmpty(), "retired session");
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
}
