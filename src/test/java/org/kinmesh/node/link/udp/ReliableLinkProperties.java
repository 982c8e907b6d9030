package org.kinmesh.node.link.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A sender and a receiver joined by a simulated network that loses, delays, reorders and
 * duplicates datagrams (in both directions) on a virtual clock: every message arrives once,
 * whole and in order, and the sender ends idle.
 */
class ReliableLinkProperties {
  private record Transit(long at, long order, Object frame, boolean toReceiver) {}

  @Example
  void aLargeBatchWithSelectiveAcksNeverSendsPastTheReceiversWindow() {
    // Found by the property below: count-based window let new fragments out past the receiver's window.
    everyMessageArrivesOnceInOrderDespiteLossReorderAndDuplication(
        List.of(1, 1, 1, 1, 1, 293, 361, 985, 2581, 38325, 61409, 65533), 0.11, 0.0, 8518322503519L);
  }

  @Property(tries = 60)
  void everyMessageArrivesOnceInOrderDespiteLossReorderAndDuplication(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 65_536) Integer> sizes,
      @ForAll @DoubleRange(min = 0.0, max = 0.3) double loss,
      @ForAll @DoubleRange(min = 0.0, max = 0.2) double duplication,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    ReliableSender sender = new ReliableSender(9);
    ReliableReceiver receiver = new ReliableReceiver(9);
    PriorityQueue<Transit> net = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
        : Long.compare(a.order, b.order));
    long[] order = {0};
    Map<Long, Integer> drops = new HashMap<>();
    long ms = 1_000_000L;
    List<byte[]> sent = new ArrayList<>();
    List<byte[]> delivered = new ArrayList<>();
    long now = 0;
    java.util.function.BiConsumer<Object, Boolean> transmit = (frame, toReceiver) -> {
      // Loss is random but bounded per fragment and per acknowledgement point, so the path
      // never fails: failing a path is the unit test's job.
      long key = frame instanceof LinkFrame.Data d ? d.seq() : -1 - ((LinkFrame.Ack) frame).nextExpected();
      if (rnd.nextDouble() < loss && drops.merge(key, 1, Integer::sum) <= 2) {
        return;
      }
      int copies = rnd.nextDouble() < duplication ? 2 : 1;
      for (int c = 0; c < copies; c++) {
        net.add(new Transit(0, order[0]++, frame, toReceiver));
      }
    };
    for (int i = 0; i < sizes.size(); i++) {
      byte[] m = new byte[sizes.get(i)];
      rnd.nextBytes(m);
      sent.add(m);
    }
    for (byte[] m : sent) {
      for (LinkFrame.Data d : sender.send(m, now)) {
        transmit.accept(d, true);
      }
    }
    int steps = 0;
    while (!sender.idle() && steps++ < 200_000) {
      // Give in-flight datagrams arrival times (1–40 ms: reordering) the first time we see them.
      List<Transit> fresh = new ArrayList<>();
      net.removeIf(t -> {
        if (t.at == 0) {
          fresh.add(t);
          return true;
        }
        return false;
      });
      for (Transit t : fresh) {
        net.add(new Transit(now + (1 + rnd.nextInt(40)) * ms, t.order, t.frame, t.toReceiver));
      }
      long nextTimer = sender.nextDeadline();
      Transit next = net.peek();
      if (next != null && next.at <= nextTimer) {
        net.poll();
        now = next.at;
        if (next.toReceiver) {
          delivered.addAll(receiver.onData((LinkFrame.Data) next.frame));
          transmit.accept(receiver.ack(), false);
        } else {
          for (LinkFrame.Data d : sender.onAck((LinkFrame.Ack) next.frame, now)) {
            transmit.accept(d, true);
          }
        }
      } else {
        now = nextTimer;
        for (LinkFrame.Data d : sender.due(now)) {
          transmit.accept(d, true);
        }
      }
      assertFalse(sender.failed(), "bounded loss must never fail the path");
    }
    assertTrue(sender.idle(), "everything acknowledged");
    assertEquals(sent.size(), delivered.size());
    for (int i = 0; i < sent.size(); i++) {
      assertArrayEquals(sent.get(i), delivered.get(i), "message " + i);
    }
  }
}
