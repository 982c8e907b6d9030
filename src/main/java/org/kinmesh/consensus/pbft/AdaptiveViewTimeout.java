package org.kinmesh.consensus.pbft;

import java.util.Arrays;

/**
 * View timeouts that follow the commit latency this node sees (docs/consensus.md, "Adaptive view
 * timeouts"). Pure: the host feeds each committed block's latency (proposal seen to commit) and
 * the replica asks for timeouts.
 *
 * <p>margin = clamp(K x p95 of the last {@link #WINDOW} latencies, {@link #FLOOR_MS},
 * view_timeout_ms). A height waits for the primary's proposal (block_interval_ms when
 * transactions wait, else the heartbeat's empty_block_interval_ms) plus the margin, never more
 * than view_timeout_ms; a NEW-VIEW gets the margin. Both double with each view change in a row,
 * up to max_view_timeout_ms. Until {@link #MIN_SAMPLES} blocks were seen (a cold start) the
 * margin is view_timeout_ms, the old fixed value. Every replica sees the same blocks, so their
 * estimates agree up to the network's own spread; the PBFT rules never need equal timers.
 */
public final class AdaptiveViewTimeout implements ViewTimeouts {
  /** Latencies kept: about two minutes of a busy chain, ten of an idle one. */
  public static final int WINDOW = 128;
  public static final int MIN_SAMPLES = 8;
  /** How many times the 95th percentile a block may take before its primary is suspected. */
  public static final long K = 4;
  /** The least margin: GC pauses and disk flushes on a laptop are of this order. */
  public static final long FLOOR_MS = 1_000;

  private final PbftConfig config;
  private final long[] samples = new long[WINDOW];
  private int count;
  private int next;

  public AdaptiveViewTimeout(PbftConfig config) {
    this.config = config;
  }

  /** A block committed {@code latencyMs} after its proposal reached this node. */
  public void observe(long latencyMs) {
    samples[next] = Math.max(0, latencyMs);
    next = (next + 1) % WINDOW;
    count = Math.min(count + 1, WINDOW);
  }

  /** The 95th percentile of the latencies held, or -1 with none. */
  public long p95() {
    if (count == 0) {
      return -1;
    }
    long[] s = Arrays.copyOf(samples, count);
    Arrays.sort(s);
    return s[(int) Math.min(count - 1, Math.ceil(0.95 * count) - 1)];
  }

  /** What a commit may take beyond the proposal wait before the primary is suspected. */
  public long margin() {
    if (count < MIN_SAMPLES) {
      return config.viewTimeoutMs();
    }
    long m = p95() > config.viewTimeoutMs() / K ? config.viewTimeoutMs() : K * p95();
    return Math.max(Math.min(FLOOR_MS, config.viewTimeoutMs()), Math.min(config.viewTimeoutMs(), m));
  }

  @Override
  public long height(boolean transactionsWaiting, int consecutiveViewChanges) {
    long wait = transactionsWaiting ? config.blockIntervalMs() : config.emptyBlockIntervalMs();
    return doubled(Math.min(config.viewTimeoutMs(), wait + margin()), consecutiveViewChanges);
  }

  @Override
  public long newView(int consecutiveViewChanges) {
    return doubled(margin(), consecutiveViewChanges);
  }

  private long doubled(long base, int consecutiveViewChanges) {
    long t = base;
    for (int i = 0; i < consecutiveViewChanges && t < config.maxViewTimeoutMs(); i++) {
      t *= 2;
    }
    return Math.min(t, config.maxViewTimeoutMs());
  }
}
