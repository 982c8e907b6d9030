package org.kinmesh.session;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** One counter per reason of an enum (refused handshakes, dropped frames): for metrics and logs. */
public final class ReasonCounts<E extends Enum<E>> {
  private final Class<E> type;
  private final LongAdder[] counts;

  public ReasonCounts(Class<E> type) {
    this.type = type;
    this.counts = new LongAdder[type.getEnumConstants().length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void increment(E reason) {
    counts[reason.ordinal()].increment();
  }

  public long get(E reason) {
    return counts[reason.ordinal()].sum();
  }

  public long total() {
    long sum = 0;
    for (LongAdder c : counts) {
      sum += c.sum();
    }
    return sum;
  }

  /** The non-zero counts, in enum order. */
  public Map<E, Long> snapshot() {
    Map<E, Long> out = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      long v = get(e);
      if (v != 0) {
        out.put(e, v);
      }
    }
    return out;
  }
}
