package org.kinmesh.node;

/**
 * How far consensus may run ahead of the ledger's disk (pure; issue 13.3). The ledger applies a
 * committed block at once and writes it behind; while the disk is full those blocks wait in
 * memory. Consensus counts the appends it sent and not yet answered, and keeps the ledger's last
 * count of unwritten blocks (each answer carries it, and a write at the bound is announced); their
 * sum is never below what memory holds, so holding the next height at {@code max} bounds it.
 * Event-loop confined.
 */
final class WriteBacklog {
  private final int max;
  private int inFlight;
  private int unwritten;

  WriteBacklog(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, not " + max);
    }
    this.max = max;
  }

  /** An append was sent; true when consensus may go on to the next height now, false to hold it. */
  boolean sent() {
    inFlight++;
    return belowBound();
  }

  /** The ledger answered an append, counting {@code unwrittenNow} blocks not on disk. */
  void answered(int unwrittenNow) {
    inFlight = Math.max(0, inFlight - 1);
    unwritten = unwrittenNow;
  }

  /** The ledger answered an append with a failure (it counted nothing). */
  void failed() {
    inFlight = Math.max(0, inFlight - 1);
  }

  /** The ledger announced a write: {@code unwrittenNow} blocks are still not on disk. */
  void written(int unwrittenNow) {
    unwritten = unwrittenNow;
  }

  /** Whether a held height may go on. */
  boolean belowBound() {
    return inFlight + unwritten < max;
  }

  /** The most blocks the ledger may hold unwritten now (for the log). */
  int estimate() {
    return inFlight + unwritten;
  }
}
