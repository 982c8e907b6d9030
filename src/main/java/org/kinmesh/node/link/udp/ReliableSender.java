package org.kinmesh.node.link.udp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * The sending half of a reliable, ordered UDP link (pure: no sockets, time passed in). Splits
 * messages into DATA fragments with consecutive sequence numbers, keeps at most
 * {@link #WINDOW} of them in flight, retransmits on timeout with doubling back-off, and
 * frees fragments on cumulative and selective acknowledgements. A fragment that goes
 * unacknowledged {@link #MAX_ATTEMPTS} times fails the path: the caller then moves traffic
 * to another path and resends what {@link #unacknowledged()} still holds there.
 */
public final class ReliableSender {
  /**
   * Fragments in flight: 64 × 1,160 bytes ≈ 74 KB. No larger than an ACK can describe (the
   * cumulative point plus a 64-bit bitmap), so the receiver can always say what it holds.
   */
  public static final int WINDOW = 64;
  /** 300 ms, 600 ms, 1.2 s, then 2 s each: about 12 s before the path is declared failed. */
  public static final int MAX_ATTEMPTS = 8;
  /** Messages waiting for window space; more is a full queue, refused. */
  public static final int MAX_QUEUED_FRAGMENTS = 64 * LinkFrame.MAX_FRAGMENTS;

  private final long session;
  private final RetransmitTimer timer = new RetransmitTimer();
  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  private final Deque<Queued> waiting = new ArrayDeque<>();
  /** Messages with a fragment not yet acknowledged, oldest first. */
  private final java.util.LinkedHashSet<Message> unacked = new java.util.LinkedHashSet<>();
  private long nextSeq;
  private boolean failed;
  /** Walks over the fragments in flight by {@link #due} and {@link #nextDeadline} (their cost). */
  private long scans;
  /**
   * No fragment in flight falls due before this (a lower bound: acknowledgements may have freed
   * the earliest one). Exact again after every walk; lets {@link #due} skip the walk.
   */
  private long earliest = Long.MAX_VALUE;

  private static final class Message {
    final byte[] bytes;
    int unackedFragments;

    Message(byte[] bytes, int fragments) {
      this.bytes = bytes;
      this.unackedFragments = fragments;
    }
  }

  private record Queued(LinkFrame.Data frame, Message message) {}

  private static final class InFlight {
    final LinkFrame.Data frame;
    final Message message;
    long sentAt;
    long deadline;
    int attempts;

    InFlight(Queued q) {
      this.frame = q.frame;
      this.message = q.message;
    }
  }

  public ReliableSender(long session) {
    this.session = session;
  }

  /**
   * Queues one message (at most 64 KiB) and returns the frames to send now.
   *
   * @throws IllegalArgumentException when the message is too large
   * @throws IllegalStateException when the queue is full or the path has failed
   */
  public List<LinkFrame.Data> send(byte[] message, long now) {
    if (failed) {
      throw new IllegalStateException("path failed");
    }
    int count = Math.max(1, (message.length + LinkFrame.MAX_FRAGMENT - 1) / LinkFrame.MAX_FRAGMENT);
    if (count > LinkFrame.MAX_FRAGMENTS) {
      throw new IllegalArgumentException("message of " + message.length + " bytes is over the limit");
    }
    if (waiting.size() + count > MAX_QUEUED_FRAGMENTS) {
      throw new IllegalStateException("send queue full");
    }
    if (nextSeq + count > 0xFFFF_FFFFL) {
      throw new IllegalStateException("session sequence space used up; open a new session");
    }
    Message m = new Message(message, count);
    unacked.add(m);
    for (int i = 0; i < count; i++) {
      int from = i * LinkFrame.MAX_FRAGMENT;
      int to = Math.min(message.length, from + LinkFrame.MAX_FRAGMENT);
      byte[] part = java.util.Arrays.copyOfRange(message, from, to);
      waiting.add(new Queued(new LinkFrame.Data(session, nextSeq, nextSeq, i, count, part), m));
      nextSeq++;
    }
    return fill(now);
  }

  /** Applies an acknowledgement; returns frames that the freed window lets out. */
  public List<LinkFrame.Data> onAck(LinkFrame.Ack ack, long now) {
    long cumulative = ack.nextExpected();
    var acked = inFlight.headMap(cumulative, false);
    for (InFlight f : acked.values()) {
      acknowledged(f, now);
    }
    acked.clear();
    for (int i = 0; i < 64; i++) {
      if ((ack.selective() & (1L << i)) != 0) {
        InFlight f = inFlight.remove(cumulative + 1 + i);
        if (f != null) {
          acknowledged(f, now);
        }
      }
    }
    return fill(now);
  }

  private void acknowledged(InFlight f, long now) {
    // Karn's rule: only a fragment sent once gives an unambiguous RTT.
    if (f.attempts == 1) {
      timer.sample(now - f.sentAt);
    }
    if (--f.message.unackedFragments == 0) {
      unacked.remove(f.message);
    }
  }

  /** Frames whose timeout passed, to send again; marks the path failed after the last attempt. */
  public List<LinkFrame.Data> due(long now) {
    if (inFlight.isEmpty() || now < earliest) {
      return new ArrayList<>();
    }
    List<LinkFrame.Data> out = new ArrayList<>();
    scans++;
    long next = Long.MAX_VALUE;
    for (InFlight f : inFlight.values()) {
      if (f.deadline <= now) {
        if (f.attempts >= MAX_ATTEMPTS) {
          failed = true;
          return List.of();
        }
        stamp(f, now);
        out.add(f.frame.withBase(base()));
      }
      next = Math.min(next, f.deadline);
    }
    earliest = next;
    return out;
  }

  /** The oldest fragment still held: a receiver starting a new stream starts here. */
  public long base() {
    if (!inFlight.isEmpty()) {
      return inFlight.firstKey();
    }
    return waiting.isEmpty() ? nextSeq : waiting.peek().frame().seq();
  }

  public long session() {
    return session;
  }

  /**
   * When {@link #due} next may have work (never later than it has), or Long.MAX_VALUE when nothing
   * is in flight.
   */
  public long nextDeadline() {
    return inFlight.isEmpty() ? Long.MAX_VALUE : earliest;
  }

  private List<LinkFrame.Data> fill(long now) {
    List<LinkFrame.Data> out = new ArrayList<>();
    // The window bounds the span of sequence numbers, not just the count in flight: after
    // selective acks free fragments in the middle, a new one must still fall inside what the
    // receiver accepts (its next expected + window), or it would be dropped until the gap fills.
    while (!waiting.isEmpty() && waiting.peek().frame().seq() < base() + WINDOW) {
      InFlight f = new InFlight(waiting.poll());
      stamp(f, now);
      inFlight.put(f.frame.seq(), f);
      out.add(f.frame.withBase(base()));
    }
    return out;
  }

  private void stamp(InFlight f, long now) {
    f.attempts++;
    f.sentAt = now;
    f.deadline = now + timer.rto(f.attempts);
    earliest = Math.min(earliest, f.deadline);
  }

  public boolean failed() {
    return failed;
  }

  public boolean idle() {
    return inFlight.isEmpty() && waiting.isEmpty();
  }

  /**
   * How often {@link #due} or {@link #nextDeadline} walked the fragments in flight. The links ask
   * both after every datagram, so a walk must happen only when a retransmission can be due.
   */
  public long scans() {
    return scans;
  }

  public long srttNanos() {
    return timer.srttNanos();
  }

  /**
   * Whole messages with any fragment not yet acknowledged, oldest first, for resending on
   * another path after this one failed. A message whose every fragment arrived but whose
   * acknowledgement was lost is resent too: across a path change delivery is at least once
   * (consensus messages are idempotent; the receiver drops exact duplicates it can see).
   */
  public List<byte[]> unacknowledged() {
    List<byte[]> out = new ArrayList<>();
    unacked.forEach(m -> out.add(m.bytes));
    return out;
  }
}
