package org.kinmesh.node.link.udp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The receiving half of a reliable, ordered UDP link (pure). Accepts DATA fragments inside a
 * window past the next expected sequence number, delivers whole messages strictly in order,
 * and describes what it holds as an ACK (cumulative plus a 64-bit selective bitmap).
 * Duplicates and fragments outside the window are dropped (the ACK tells the sender again).
 */
public final class ReliableReceiver {
  /** Sequence numbers accepted past the next expected one: exactly what one ACK can describe. */
  public static final int WINDOW = 65;

  private final long session;
  private final TreeMap<Long, LinkFrame.Data> ahead = new TreeMap<>();
  private long nextExpected;
  private ByteArrayOutputStream partial;
  private int partialFragments;
  private int partialCount;
  private long duplicates;
  private long outOfWindow;
  /** A stream joined at a base inside a message skips to the next message start. */
  private boolean synchronizing;

  public ReliableReceiver(long session) {
    this(session, 0);
  }

  /** A receiver for a stream whose sender holds nothing older than {@code base}. */
  public ReliableReceiver(long session, long base) {
    this.session = session;
    this.nextExpected = base;
    this.synchronizing = base > 0;
  }

  public long session() {
    return session;
  }

  /**
   * Takes one DATA fragment; returns the messages it completes, in order (usually none or one).
   *
   * @throws IllegalArgumentException when the fragments contradict each other (a broken or
   *     hostile sender: the caller closes the session)
   */
  public List<byte[]> onData(LinkFrame.Data d) {
    long seq = d.seq();
    if (seq < nextExpected || ahead.containsKey(seq)) {
      duplicates++;
      return List.of();
    }
    if (seq >= nextExpected + WINDOW) {
      outOfWindow++;
      return List.of();
    }
    ahead.put(seq, d);
    List<byte[]> delivered = new ArrayList<>(1);
    LinkFrame.Data next;
    while ((next = ahead.remove(nextExpected)) != null) {
      nextExpected++;
      append(next, delivered);
    }
    return delivered;
  }

  private void append(LinkFrame.Data d, List<byte[]> delivered) {
    if (partial == null) {
      if (d.fragment() != 0 && synchronizing) {
        return; // the head of this message went to an earlier incarnation of this receiver
      }
      if (d.fragment() != 0) {
        throw new IllegalArgumentException("message starts at fragment " + d.fragment());
      }
      synchronizing = false;
      partial = new ByteArrayOutputStream(d.fragments() * LinkFrame.MAX_FRAGMENT);
      partialCount = d.fragments();
      partialFragments = 0;
    } else if (d.fragment() != partialFragments || d.fragments() != partialCount) {
      throw new IllegalArgumentException("fragment " + d.fragment() + "/" + d.fragments() + " after "
          + partialFragments + "/" + partialCount);
    }
    if (d.fragment() < d.fragments() - 1 && d.payload().length != LinkFrame.MAX_FRAGMENT) {
      throw new IllegalArgumentException("short fragment inside a message");
    }
    partial.writeBytes(d.payload());
    partialFragments++;
    if (partialFragments == partialCount) {
      delivered.add(partial.toByteArray());
      partial = null;
    }
  }

  /** What to acknowledge now. */
  public LinkFrame.Ack ack() {
    long bits = 0;
    for (long seq : ahead.keySet()) {
      long i = seq - nextExpected - 1;
      if (i >= 0 && i < 64) {
        bits |= 1L << i;
      }
    }
    return new LinkFrame.Ack(session, nextExpected, bits);
  }

  public long duplicates() {
    return duplicates;
  }

  public long outOfWindow() {
    return outOfWindow;
  }
}
