package org.kinmesh.gossip;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * When the periodic work runs (pure; randomness injected): announce every interval ± U(0,
 * jitter), pull every interval ± U(0, jitter), and the quick pulls of start-up spread evenly
 * over the quick-pull window (the first at once), each with a little jitter of its own.
 */
public final class Schedule {
  private final GossipConfig cfg;
  private final Random random;

  public Schedule(GossipConfig cfg, Random random) {
    this.cfg = cfg;
    this.random = random;
  }

  public long nextAnnounceMs() {
    return around(cfg.announceIntervalMs(), cfg.announceJitterMs());
  }

  public long nextPullMs() {
    return around(cfg.pullIntervalMs(), cfg.pullJitterMs());
  }

  /** Delays from start of the quick pulls: 0, w/q, 2w/q ... each but the first ± 10 % of the step. */
  public List<Long> quickPullOffsetsMs() {
    List<Long> out = new ArrayList<>();
    int q = cfg.quickPulls();
    if (q == 0) {
      return out;
    }
    long step = cfg.quickPullWindowMs() / q;
    for (int i = 0; i < q; i++) {
      out.add(i == 0 ? 0 : Math.max(1, i * step + jitter(step / 10)));
    }
    return out;
  }

  /** When the regular pull loop takes over from the quick pulls. */
  public long firstRegularPullMs() {
    return cfg.quickPulls() == 0 ? nextPullMs() : cfg.quickPullWindowMs() + nextPullMs();
  }

  private long around(long base, long spread) {
    return Math.max(1, base + jitter(spread));
  }

  private long jitter(long spread) {
    return spread <= 0 ? 0 : (long) Math.floor((random.nextDouble() * 2 - 1) * spread);
  }
}
