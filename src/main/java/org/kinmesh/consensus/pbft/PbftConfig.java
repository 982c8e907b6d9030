package org.kinmesh.consensus.pbft;

/**
 * Consensus settings (config keys in docs/consensus.md).
 *
 * @param blockchainId the chain every envelope must name
 * @param blockIntervalMs how often the primary asks the host for a block while transactions wait
 * @param emptyBlockIntervalMs after this long without a block the primary must propose, even empty
 * @param viewTimeoutMs first view-change timeout; must exceed emptyBlockIntervalMs
 * @param maxViewTimeoutMs cap of the doubling
 * @param checkpointInterval K: a checkpoint every K heights
 * @param logWindow heights above the last stable checkpoint the log accepts (high watermark)
 * @param fetchBatch most blocks asked for (and served) at once
 * @param fetchRetryMs when to ask again if a fetch goes unanswered
 */
public record PbftConfig(String blockchainId, long blockIntervalMs, long emptyBlockIntervalMs,
    long viewTimeoutMs, long maxViewTimeoutMs, int checkpointInterval, int logWindow, int fetchBatch,
    long fetchRetryMs) {
  public static final long DEFAULT_BLOCK_INTERVAL_MS = 1_000;
  public static final long DEFAULT_EMPTY_BLOCK_INTERVAL_MS = 5_000;
  public static final long DEFAULT_VIEW_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_MAX_VIEW_TIMEOUT_MS = 160_000;
  public static final int DEFAULT_CHECKPOINT_INTERVAL = 16;

  public PbftConfig {
    if (!org.kinmesh.wire.WireRules.isBlockchainId(blockchainId)) {
      throw new IllegalArgumentException("blockchain_id must be 1-64 characters of [A-Za-z0-9._-]");
    }
    if (blockIntervalMs < 1 || emptyBlockIntervalMs < blockIntervalMs) {
      throw new IllegalArgumentException("need 1 <= block_interval_ms <= empty_block_interval_ms");
    }
    // A correct primary must get its heartbeat block through before anyone suspects it.
    if (viewTimeoutMs <= emptyBlockIntervalMs || maxViewTimeoutMs < viewTimeoutMs) {
      throw new IllegalArgumentException(
          "need empty_block_interval_ms < view_timeout_ms <= max_view_timeout_ms");
    }
    if (checkpointInterval < 1 || logWindow < checkpointInterval * 2L) {
      throw new IllegalArgumentException("need checkpoint_interval >= 1 and log_window >= 2 * checkpoint_interval");
    }
    if (fetchBatch < 1 || fetchBatch > 256 || fetchRetryMs < 1) {
      throw new IllegalArgumentException("need fetch_batch in 1..256 and fetch_retry_ms >= 1");
    }
  }

  public static PbftConfig defaults(String blockchainId) {
    return new PbftConfig(blockchainId, DEFAULT_BLOCK_INTERVAL_MS, DEFAULT_EMPTY_BLOCK_INTERVAL_MS,
        DEFAULT_VIEW_TIMEOUT_MS, DEFAULT_MAX_VIEW_TIMEOUT_MS, DEFAULT_CHECKPOINT_INTERVAL,
        2 * DEFAULT_CHECKPOINT_INTERVAL, 32, 2_000);
  }

  /** base * 2^k, capped: the k-th consecutive view change without progress waits this long. */
  public long viewTimeout(int consecutiveViewChanges) {
    long t = viewTimeoutMs;
    for (int i = 0; i < consecutiveViewChanges && t < maxViewTimeoutMs; i++) {
      t *= 2;
    }
    return Math.min(t, maxViewTimeoutMs);
  }
}
