package org.kinmesh.node.link;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Rejections and drops by reason. Written on the links' event loop, read by tests and status from anywhere. */
public final class LinkCounters {
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  public void increment(String reason) {
    counts.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
  }

  public void increment(Rejection r) {
    increment(r.code());
  }

  public long get(Rejection r) {
    return get(r.code());
  }

  public long get(String reason) {
    AtomicLong v = counts.get(reason);
    return v == null ? 0 : v.get();
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
