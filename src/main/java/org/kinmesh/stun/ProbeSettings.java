package org.kinmesh.stun;

/**
 * Timing of a NAT probe. A request is retransmitted per RFC 8489 (first RTO {@code rtoMillis},
 * doubling) for at most {@code perServerMillis}. A filtering test is answered only when the NAT
 * lets the changed address through, so its silence is the result: it waits 8 round trips of
 * test I, within [{@code filterMinMillis}, {@code filterMaxMillis}], and is sent twice.
 */
public record ProbeSettings(long rtoMillis, long perServerMillis, long filterMinMillis, long filterMaxMillis) {
  public static final ProbeSettings DEFAULT = new ProbeSettings(500, 5_000, 150, 1_000);

  public ProbeSettings {
    if (rtoMillis < 1 || perServerMillis < rtoMillis || filterMinMillis < 1 || filterMaxMillis < filterMinMillis) {
      throw new IllegalArgumentException("inconsistent probe timings");
    }
  }

  long filterWaitMillis(long testOneRttMillis) {
    return Math.max(filterMinMillis, Math.min(filterMaxMillis, 8 * testOneRttMillis));
  }
}
