package org.kinmesh.consensus.pbft;

/**
 * How long the replica's view timer waits. Pure: the replica asks, the host (or a test) decides
 * what the answer depends on, e.g. the commit latency it measured ({@link AdaptiveViewTimeout}).
 */
public interface ViewTimeouts {
  /**
   * The timer of a height in an installed view: no commit in this long starts a view change.
   *
   * @param transactionsWaiting transactions wait here, so the primary should propose within
   *     block_interval_ms rather than the heartbeat's empty_block_interval_ms
   * @param consecutiveViewChanges view changes in a row without a commit (the doubling exponent)
   */
  long height(boolean transactionsWaiting, int consecutiveViewChanges);

  /** The wait for a NEW-VIEW once a threshold asked for the view. */
  long newView(int consecutiveViewChanges);

  /** The fixed timeouts of the config: view_timeout_ms, doubled up to max_view_timeout_ms. */
  static ViewTimeouts fixed(PbftConfig config) {
    return new ViewTimeouts() {
      @Override
      public long height(boolean transactionsWaiting, int consecutiveViewChanges) {
        return config.viewTimeout(consecutiveViewChanges);
      }

      @Override
      public long newView(int consecutiveViewChanges) {
        return config.viewTimeout(consecutiveViewChanges);
      }
    };
  }
}
