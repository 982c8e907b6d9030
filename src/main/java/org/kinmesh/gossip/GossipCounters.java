package org.kinmesh.gossip;

import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** Every drop by reason, and what went in and out. Owned by the engine's event loop. */
public final class GossipCounters {
  private final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
  private final Map<String, Long> events = new TreeMap<>();

  public void drop(DropReason r) {
    drops.merge(r, 1L, Long::sum);
  }

  public void add(String event, long n) {
    events.merge(event, n, Long::sum);
  }

  public void increment(String event) {
    add(event, 1);
  }

  public long drops(DropReason r) {
    return drops.getOrDefault(r, 0L);
  }

  public long get(String event) {
    return events.getOrDefault(event, 0L);
  }

  /** {"dropped": {reason: n, ...every reason}, "events": {...}}. */
  public JsonObject toJson() {
    JsonObject d = new JsonObject();
    for (DropReason r : DropReason.values()) {
      d.put(r.code(), drops(r));
    }
    JsonObject e = new JsonObject();
    events.forEach(e::put);
    return new JsonObject().put("dropped", d).put("events", e);
  }
}
