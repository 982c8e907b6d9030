package org.kinmesh.gossip;

/**
 * A node's announce version: strictly increasing, across restarts too. The next version is
 * the larger of the last one plus one and the wall clock in milliseconds: the clock keeps it
 * ahead of anything an earlier life sent even when the persisted value was lost, and the
 * persisted value keeps it ahead when the clock went backwards.
 */
public final class OwnVersion {
  private long last;

  public OwnVersion(long persisted) {
    this.last = Math.max(0, persisted);
  }

  public long last() {
    return last;
  }

  public long next(long nowMillis) {
    last = Math.max(last + 1, nowMillis);
    return last;
  }

  /** An announce of ours from an earlier life came back with version {@code seen}: jump past it. */
  public void observed(long seen) {
    last = Math.max(last, seen);
  }
}
