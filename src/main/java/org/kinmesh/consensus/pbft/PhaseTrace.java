package org.kinmesh.consensus.pbft;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a block's time goes on this node, phase by phase, for status and the benchmark. The host
 * marks each phase as it happens (nanosecond readings of its own monotonic clock); when a height is
 * applied its phase durations join a ring of the last {@link #WINDOW} blocks. Pure and confined to
 * the host's thread like the replica.
 *
 * <p>Phases, each measured from the previous mark that was seen at that height:
 * {@code build} (primary: asked the ledger for a block, got it), {@code validate} (proposal in, own
 * PREPARE out), {@code prepare} (own PREPARE out, prepared: own COMMIT out), {@code commit} (own
 * COMMIT out, committed), {@code append} (committed, applied and published by the ledger; the replica
 * itself moves on to the next height at once), {@code total} (first
 * mark to applied), and {@code total_empty} (the same, for the last {@link #EMPTY_WINDOW} blocks without
 * transactions).
 */
public final class PhaseTrace {
  /** Blocks kept for the percentiles. */
  public static final int WINDOW = 512;
  /** Empty blocks kept: fewer, so the figure follows the recent heartbeats, not the start-up ones. */
  public static final int EMPTY_WINDOW = 64;
  /** Heights tracked at once (a few are in flight at most; the rest is a bound against leaks). */
  private static final int MAX_OPEN = 64;

  /** The marks, in protocol order. */
  public enum Mark { BUILD, PROPOSAL, PREPARE, COMMIT, COMMITTED, APPLIED }

  /** A reported phase: the time from {@code from} to {@code to}. */
  public enum Phase {
    BUILD(Mark.BUILD, Mark.PROPOSAL),
    VALIDATE(Mark.PROPOSAL, Mark.PREPARE),
    PREPARE(Mark.PREPARE, Mark.COMMIT),
    COMMIT(Mark.COMMIT, Mark.COMMITTED),
    APPEND(Mark.COMMITTED, Mark.APPLIED),
    TOTAL(null, Mark.APPLIED),
    /** {@link #TOTAL} of blocks without transactions (heartbeats) only. */
    TOTAL_EMPTY(null, Mark.APPLIED);

    final Mark from;
    final Mark to;

    Phase(Mark from, Mark to) {
      this.from = from;
      this.to = to;
    }
  }

  private final TreeMap<Long, EnumMap<Mark, Long>> open = new TreeMap<>();
  private final EnumMap<Phase, long[]> ring = new EnumMap<>(Phase.class);
  private final EnumMap<Phase, Integer> count = new EnumMap<>(Phase.class);
  private long blocks;

  public PhaseTrace() {
    for (Phase p : Phase.values()) {
      ring.put(p, new long[window(p)]);
      count.put(p, 0);
    }
  }

  /** {@link Mark#APPLIED} of a block, saying whether it carried transactions. */
  public void applied(long height, long nanos, boolean empty) {
    EnumMap<Mark, Long> m = open.get(height);
    if (m == null) {
      return; // nothing was seen before it (a restart): no phases to report
    }
    m.putIfAbsent(Mark.APPLIED, nanos);
    finish(open.remove(height), empty);
    open.headMap(height).clear();
  }

  /** Records the first time {@code mark} happened at {@code height}; later repeats are ignored. */
  public void mark(long height, Mark mark, long nanos) {
    if (mark == Mark.APPLIED) {
      applied(height, nanos, false);
      return;
    }
    EnumMap<Mark, Long> m = open.get(height);
    if (m == null) {
      m = new EnumMap<>(Mark.class);
      open.put(height, m);
      while (open.size() > MAX_OPEN) {
        open.pollFirstEntry();
      }
    }
    m.putIfAbsent(mark, nanos);
  }

  private void finish(EnumMap<Mark, Long> m, boolean empty) {
    blocks++;
    long first = m.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    for (Phase p : Phase.values()) {
      if (p == Phase.TOTAL_EMPTY && !empty) {
        continue;
      }
      Long end = m.get(p.to);
      Long start = p.from == null ? Long.valueOf(first) : m.get(p.from);
      if (end == null || start == null || end < start) {
        continue;
      }
      int n = count.get(p);
      ring.get(p)[n % window(p)] = end - start;
      count.put(p, n + 1);
    }
  }

  private static int window(Phase p) {
    return p == Phase.TOTAL_EMPTY ? EMPTY_WINDOW : WINDOW;
  }

  /** Blocks measured since start. */
  public long blocks() {
    return blocks;
  }

  /** The p-th percentile (0..100) of a phase over the window, in milliseconds; NaN when none. */
  public double percentileMs(Phase phase, double p) {
    int n = Math.min(count.get(phase), window(phase));
    if (n == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(ring.get(phase), n);
    Arrays.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, idx))] / 1e6;
  }

  /** Phase name (lowercase) to {p50, p99} in ms, rounded to 0.01 ms, phases with data only. */
  public Map<String, double[]> summary() {
    Map<String, double[]> out = new java.util.LinkedHashMap<>();
    for (Phase p : Phase.values()) {
      double p50 = percentileMs(p, 50);
      if (!Double.isNaN(p50)) {
        out.put(p.name().toLowerCase(java.util.Locale.ROOT),
            new double[] {Math.round(p50 * 100) / 100.0, Math.round(percentileMs(p, 99) * 100) / 100.0});
      }
    }
    return out;
  }
}
