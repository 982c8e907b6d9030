package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** One outstanding request of a probe: when to (re)send it and when to give up. Pure. */
final class Transaction {
  enum Purpose { TEST_I, SECOND_SERVER, FILTER_CHANGE_BOTH, FILTER_CHANGE_PORT, FILTER_CONTROL, MAPPING_ALT_IP,
    MAPPING_ALT_BOTH }

  final Purpose purpose;
  final TransactionId id;
  final InetSocketAddress to;
  final byte[] request;
  final long start;
  private final long[] sendOffsets;
  long deadline;
  private int sent;

  Transaction(Purpose purpose, TransactionId id, InetSocketAddress to, byte[] request, long start, long[] sendOffsets,
      long budget) {
    this.purpose = purpose;
    this.id = id;
    this.to = to;
    this.request = request;
    this.start = start;
    this.sendOffsets = sendOffsets;
    this.deadline = start + budget;
  }

  /**
   * RFC 8489 §6.2.1: sends at 0, RTO, 3·RTO, 7·RTO, ... (the RTO doubles after each), those
   * that fall within the budget; the transaction fails at the budget's end.
   */
  static long[] rfcOffsets(long rto, long budget) {
    List<Long> out = new ArrayList<>();
    long at = 0;
    long next = rto;
    while (at < budget) {
      out.add(at);
      at += next;
      next *= 2;
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** When the next copy is due, or Long.MAX_VALUE when every copy has gone. */
  long nextSendAt() {
    return sent < sendOffsets.length ? start + sendOffsets[sent] : Long.MAX_VALUE;
  }

  void markSent() {
    sent++;
  }

  int sent() {
    return sent;
  }

  /** Gives up earlier (never later) than planned. */
  void shortenDeadline(long at) {
    deadline = Math.min(deadline, at);
  }

  long nextWakeup() {
    return Math.min(nextSendAt(), deadline);
  }
}
