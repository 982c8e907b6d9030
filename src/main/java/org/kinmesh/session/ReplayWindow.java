package org.kinmesh.session;

/**
 * The receive side's sliding window over 64-bit frame counters (RFC 6479's bitmap, as WireGuard
 * keeps it): the highest counter seen, and which of the {@value #SIZE} counters up to it have
 * arrived. A counter is fresh when it is above the highest, or within the window and not seen.
 * Pure; not thread-safe. Check first, authenticate, then {@link #accept} (an unauthenticated
 * frame must not move the window).
 */
public final class ReplayWindow {
  public static final int SIZE = 2048;

  /** What the window says of a counter. */
  public enum Verdict { FRESH, DUPLICATE, TOO_OLD }

  private final long[] bits = new long[SIZE / 64];
  private long top = -1;

  public Verdict check(long counter) {
    if (counter < 0) {
      return Verdict.TOO_OLD; // counters stop far below 2^63 (RekeyPolicy)
    }
    if (counter > top) {
      return Verdict.FRESH;
    }
    if (top - counter >= SIZE) {
      return Verdict.TOO_OLD;
    }
    return isSet(counter) ? Verdict.DUPLICATE : Verdict.FRESH;
  }

  /** Marks an authenticated counter; one that {@link #check} does not call fresh is refused. */
  public void accept(long counter) {
    if (check(counter) != Verdict.FRESH) {
      throw new IllegalArgumentException("counter " + counter + " is not fresh");
    }
    if (counter > top) {
      long gap = counter - top;
      if (gap >= SIZE) {
        java.util.Arrays.fill(bits, 0L);
      } else {
        for (long c = top + 1; c < counter; c++) {
          clear(c);
        }
      }
      top = counter;
    }
    set(counter);
  }

  /** The highest counter accepted, -1 before the first. */
  public long highest() {
    return top;
  }

  private boolean isSet(long c) {
    int i = (int) (c % SIZE);
    return (bits[i >>> 6] & (1L << (i & 63))) != 0;
  }

  private void set(long c) {
    int i = (int) (c % SIZE);
    bits[i >>> 6] |= 1L << (i & 63);
  }

  private void clear(long c) {
    int i = (int) (c % SIZE);
    bits[i >>> 6] &= ~(1L << (i & 63));
  }
}
