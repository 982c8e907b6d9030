package org.kinmesh.node.link.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReliableLinkTest {
  private static final long MS = 1_000_000L;

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void framesRoundTripThroughTheirBytes() {
    var data = new LinkFrame.Data(42, 0xFFFF_FFFFL, 0, 3, 5, bytes(LinkFrame.MAX_FRAGMENT, 1));
    var parsed = (LinkFrame.Data) LinkFrame.parse(data.encode());
    assertEquals(42, parsed.session());
    assertEquals(0xFFFF_FFFFL, parsed.seq());
    assertEquals(3, parsed.fragment());
    assertEquals(5, parsed.fragments());
    assertArrayEquals(data.payload(), parsed.payload());
    assertTrue(data.encode().length() <= 1_200, "a DATA datagram stays under the gossip size");
    assertEquals(new LinkFrame.Ack(7, 9, -1L), LinkFrame.parse(new LinkFrame.Ack(7, 9, -1L).encode()));
    assertEquals(new LinkFrame.Ping(7, 11), LinkFrame.parse(new LinkFrame.Ping(7, 11).encode()));
    assertEquals(new LinkFrame.Pong(7, 11), LinkFrame.parse(new LinkFrame.Pong(7, 11).encode()));
  }

  @Test
  void malformedFramesAreRefusedWithAReason() {
    Buffer okData = new LinkFrame.Data(1, 1, 0, 0, 1, new byte[0]).encode();
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(okData.getBuffer(0, 10)));
    Buffer badCount = okData.copy();
    badCount.setUnsignedShort(LinkFrame.HEADER + 10, 0);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(badCount));
    Buffer fragmentPastCount = okData.copy();
    fragmentPastCount.setUnsignedShort(LinkFrame.HEADER + 8, 1);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(fragmentPastCount));
    Buffer tooMany = okData.copy();
    tooMany.setUnsignedShort(LinkFrame.HEADER + 10, LinkFrame.MAX_FRAGMENTS + 1);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(tooMany));
    Buffer basePastSeq = okData.copy();
    basePastSeq.setUnsignedInt(LinkFrame.HEADER + 4, 2);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(basePastSeq));
    Buffer oversized = okData.copy().appendBytes(new byte[LinkFrame.MAX_FRAGMENT + 1]);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(oversized));
    Buffer longAck = new LinkFrame.Ack(1, 1, 1).encode().appendByte((byte) 0);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(longAck));
    Buffer unknownType = new LinkFrame.Ping(1, 1).encode();
    unknownType.setByte(2, (byte) 0x2F);
    assertThrows(IllegalArgumentException.class, () -> LinkFrame.parse(unknownType));
  }

  @Test
  void aMessageOverTheLimitIsRefusedAndAnEmptyOneTravels() {
    ReliableSender s = new ReliableSender(1);
    assertThrows(IllegalArgumentException.class,
        () -> s.send(new byte[LinkFrame.MAX_FRAGMENT * LinkFrame.MAX_FRAGMENTS + 1], 0));
    List<LinkFrame.Data> frames = s.send(new byte[0], 0);
    assertEquals(1, frames.size());
    ReliableReceiver r = new ReliableReceiver(1);
    assertEquals(0, r.onData(frames.get(0)).get(0).length);
  }

  @Test
  void outOfOrderFragmentsAreDeliveredInOrderOnce() {
    ReliableSender s = new ReliableSender(1);
    byte[] big = bytes(3 * LinkFrame.MAX_FRAGMENT + 10, 5);
    List<LinkFrame.Data> frames = new java.util.ArrayList<>(s.send(big, 0));
    frames.addAll(s.send(bytes(3, 9), 0));
    assertEquals(5, frames.size());
    ReliableReceiver r = new ReliableReceiver(1);
    assertTrue(r.onData(frames.get(4)).isEmpty());
    assertTrue(r.onData(frames.get(2)).isEmpty());
    assertTrue(r.onData(frames.get(0)).isEmpty());
    assertEquals(new LinkFrame.Ack(1, 1, 0b101), r.ack(), "holds 0, then 2 and 4 past the gap at 1");
    assertTrue(r.onData(frames.get(2)).isEmpty(), "a duplicate");
    assertEquals(1, r.duplicates());
    assertTrue(r.onData(frames.get(1)).isEmpty());
    List<byte[]> out = r.onData(frames.get(3));
    assertEquals(2, out.size());
    assertArrayEquals(big, out.get(0));
    assertArrayEquals(bytes(3, 9), out.get(1));
    assertEquals(new LinkFrame.Ack(1, 5, 0), r.ack());
  }

  @Test
  void contradictoryFragmentsAreAProtocolError() {
    ReliableReceiver r = new ReliableReceiver(1);
    assertThrows(IllegalArgumentException.class,
        () -> r.onData(new LinkFrame.Data(1, 0, 0, 1, 2, bytes(4, 0))), "a message must start at fragment 0");
    ReliableReceiver r2 = new ReliableReceiver(1);
    r2.onData(new LinkFrame.Data(1, 0, 0, 0, 2, bytes(LinkFrame.MAX_FRAGMENT, 0)));
    assertThrows(IllegalArgumentException.class,
        () -> r2.onData(new LinkFrame.Data(1, 1, 0, 0, 3, bytes(4, 0))), "fragment counts disagree");
    ReliableReceiver r3 = new ReliableReceiver(1);
    assertThrows(IllegalArgumentException.class,
        () -> r3.onData(new LinkFrame.Data(1, 0, 0, 0, 2, bytes(10, 0))), "short fragment inside a message");
  }

  @Test
  void aReceiverJoiningAStreamAtItsBaseSkipsToTheNextMessageStart() {
    ReliableSender s = new ReliableSender(4);
    s.send(bytes(LinkFrame.MAX_FRAGMENT + 5, 1), 0); // seq 0, 1
    s.send(bytes(7, 2), 0); // seq 2
    s.onAck(new LinkFrame.Ack(4, 1, 0), 1); // the old receiver had seq 0
    assertEquals(1, s.base());
    List<LinkFrame.Data> resent = s.due(Long.MAX_VALUE / 2);
    assertEquals(1, resent.get(0).base(), "retransmissions carry the current base");
    ReliableReceiver fresh = new ReliableReceiver(4, resent.get(0).base());
    assertTrue(fresh.onData(resent.get(0)).isEmpty(), "the tail of a message whose head it never saw");
    List<byte[]> got = fresh.onData(resent.get(1));
    assertEquals(1, got.size());
    assertArrayEquals(bytes(7, 2), got.get(0));
  }

  @Test
  void fragmentsPastTheWindowAreDroppedNotBuffered() {
    ReliableReceiver r = new ReliableReceiver(1);
    assertTrue(r.onData(new LinkFrame.Data(1, ReliableReceiver.WINDOW, 0, 0, 1, bytes(1, 0))).isEmpty());
    assertEquals(1, r.outOfWindow());
    assertEquals(new LinkFrame.Ack(1, 0, 0), r.ack());
  }

  @Test
  void theWindowBoundsFramesInFlightAndAcksReleaseMore() {
    ReliableSender s = new ReliableSender(1);
    int sent = 0;
    for (int i = 0; i < 3; i++) {
      sent += s.send(bytes(LinkFrame.MAX_FRAGMENT * LinkFrame.MAX_FRAGMENTS, i), 0).size();
    }
    assertEquals(ReliableSender.WINDOW, sent);
    List<LinkFrame.Data> released = s.onAck(new LinkFrame.Ack(1, 10, 0), MS);
    assertEquals(10, released.size());
    assertEquals(ReliableSender.WINDOW, released.get(0).seq());
  }

  @Test
  void retransmitsWithDoublingTimeoutsThenFailsThePath() {
    ReliableSender s = new ReliableSender(1);
    byte[] m = bytes(10, 1);
    s.send(m, 0);
    long now = 0;
    long previousGap = 0;
    for (int attempt = 2; attempt <= ReliableSender.MAX_ATTEMPTS; attempt++) {
      long deadline = s.nextDeadline();
      assertTrue(deadline - now >= previousGap, "timeouts never shrink");
      previousGap = deadline - now;
      now = deadline;
      assertEquals(1, s.due(now).size());
      assertFalse(s.failed());
    }
    assertTrue(s.due(s.nextDeadline()).isEmpty());
    assertTrue(s.failed());
    assertThrows(IllegalStateException.class, () -> s.send(m, 0));
    assertEquals(1, s.unacknowledged().size());
    assertArrayEquals(m, s.unacknowledged().get(0));
  }

  @Test
  void unacknowledgedKeepsWholeMessagesUntilEveryFragmentIsAcked() {
    ReliableSender s = new ReliableSender(1);
    byte[] two = bytes(LinkFrame.MAX_FRAGMENT + 1, 3);
    s.send(two, 0);
    s.send(bytes(5, 4), 0);
    s.onAck(new LinkFrame.Ack(1, 1, 0), MS);
    assertEquals(2, s.unacknowledged().size(), "the first message is only half acknowledged");
    s.onAck(new LinkFrame.Ack(1, 2, 0), MS);
    assertEquals(1, s.unacknowledged().size());
    s.onAck(new LinkFrame.Ack(1, 3, 0), MS);
    assertTrue(s.unacknowledged().isEmpty());
    assertTrue(s.idle());
  }

  @Test
  void rttSamplesShapeTheTimeout() {
    ReliableSender s = new ReliableSender(1);
    s.send(bytes(1, 0), 0);
    s.onAck(new LinkFrame.Ack(1, 1, 0), 20 * MS);
    assertEquals(20 * MS, s.srttNanos());
    s.send(bytes(1, 0), 100 * MS);
    long rto = s.nextDeadline() - 100 * MS;
    assertTrue(rto >= RetransmitTimer.MIN_RTO_NANOS && rto < RetransmitTimer.INITIAL_RTO_NANOS, "rto " + rto);
  }

  @Test
  void askingWhatIsDueWalksTheWindowOnlyWhenARetransmissionIsDue() {
    ReliableSender s = new ReliableSender(1);
    s.send(bytes(LinkFrame.MAX_FRAGMENT * LinkFrame.MAX_FRAGMENTS, 1), 0);
    long deadline = s.nextDeadline();
    long before = s.scans();
    // The links ask after every datagram; a full window of 64 fragments must not be walked each time.
    for (int i = 0; i < 1_000; i++) {
      assertTrue(s.due(deadline - 1).isEmpty());
      assertEquals(deadline, s.nextDeadline());
    }
    assertEquals(before, s.scans(), "walks of the in-flight fragments while nothing was due");
    assertEquals(ReliableSender.WINDOW, s.due(deadline).size(), "every fragment is resent once due");
    assertTrue(s.scans() > before);
    assertTrue(s.nextDeadline() > deadline);
    s.onAck(new LinkFrame.Ack(1, ReliableSender.WINDOW, 0), deadline + MS);
    assertTrue(s.idle());
    assertEquals(Long.MAX_VALUE, s.nextDeadline());
    assertTrue(s.due(Long.MAX_VALUE - 1).isEmpty());
  }
}
