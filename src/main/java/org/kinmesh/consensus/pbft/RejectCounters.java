package org.kinmesh.consensus.pbft;

import java.util.EnumMap;
import java.util.Map;

/**
 * Rejections by reason, for status and metrics: the host adds each {@link Action.Rejected} and
 * each {@link EnvelopeException} here. Confined to the host's thread like the replica itself.
 */
public final class RejectCounters {
  private final EnumMap<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);

  public void add(RejectReason reason) {
    counts.merge(reason, 1L, Long::sum);
  }

  public long get(RejectReason reason) {
    return counts.getOrDefault(reason, 0L);
  }

  /** Non-zero counts, in enum order. */
  public Map<RejectReason, Long> snapshot() {
    return new EnumMap<>(counts);
  }
}
