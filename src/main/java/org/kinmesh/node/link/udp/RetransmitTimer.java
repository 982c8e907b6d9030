package org.kinmesh.node.link.udp;

/**
 * Retransmission timeout from RTT samples, RFC 6298 style (SRTT, RTTVAR, RTO = SRTT + 4·RTTVAR)
 * with bounds for paths between home machines: a lost fragment is resent within a few hundred
 * milliseconds, and a dead path is noticed in seconds, not minutes.
 */
final class RetransmitTimer {
  static final long INITIAL_RTO_NANOS = 300_000_000L;
  static final long MIN_RTO_NANOS = 50_000_000L;
  static final long MAX_RTO_NANOS = 2_000_000_000L;

  private long srtt = -1;
  private long rttvar;
  private long rto = INITIAL_RTO_NANOS;

  void sample(long rttNanos) {
    if (srtt < 0) {
      srtt = rttNanos;
      rttvar = rttNanos / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
      srtt = (7 * srtt + rttNanos) / 8;
    }
    rto = clamp(srtt + Math.max(4 * rttvar, 1_000_000L));
  }

  /** The timeout for a fragment sent for the {@code attempt}-th time (1 = first): doubles per retry. */
  long rto(int attempt) {
    long r = rto;
    for (int i = 1; i < attempt && r < MAX_RTO_NANOS; i++) {
      r *= 2;
    }
    return clamp(r);
  }

  /** Smoothed round-trip time, or -1 before the first sample. */
  long srttNanos() {
    return srtt;
  }

  private static long clamp(long v) {
    return Math.max(MIN_RTO_NANOS, Math.min(MAX_RTO_NANOS, v));
  }
}
