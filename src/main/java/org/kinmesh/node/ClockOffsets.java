package org.kinmesh.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far this machine's clock is from the others', from the signed timestamps peers send (link
 * hellos) and the relay's Date header. Offset = our clock minus theirs: positive means this
 * machine is ahead. Each source keeps its latest sample for {@link #MAX_AGE_MS}. Peers outvote
 * the relay, and among peers the median counts, so one peer with a wrong clock does not make
 * every other node think its own clock is off (with two middle values, the one nearer zero).
 * Pure: the caller passes the time.
 */
final class ClockOffsets {
  static final long MAX_AGE_MS = 30 * 60_000L;
  static final String RELAY = "relay";

  /** The estimate and where it came from ("peers" or "relay"). */
  record Estimate(long offsetMs, String source, int samples) {}

  private record Sample(long offsetMs, long atMs) {}

  private final Map<String, Sample> peers = new HashMap<>();
  private Sample relay;

  /** A sample: {@code source} is a peer's key, or {@link #RELAY}. */
  void add(String source, long offsetMs, long nowMs) {
    Sample s = new Sample(offsetMs, nowMs);
    if (RELAY.equals(source)) {
      relay = s;
    } else {
      peers.put(source, s);
    }
  }

  /** The current estimate, or null when nothing recent was measured. */
  Estimate estimate(long nowMs) {
    peers.values().removeIf(s -> nowMs - s.atMs() > MAX_AGE_MS);
    if (!peers.isEmpty()) {
      List<Long> offsets = new ArrayList<>();
      peers.values().forEach(s -> offsets.add(s.offsetMs()));
      offsets.sort(null);
      int n = offsets.size();
      long median = n % 2 == 1 ? offsets.get(n / 2)
          : nearerZero(offsets.get(n / 2 - 1), offsets.get(n / 2));
      return new Estimate(median, "peers", n);
    }
    if (relay != null && nowMs - relay.atMs() <= MAX_AGE_MS) {
      return new Estimate(relay.offsetMs(), RELAY, 1);
    }
    return null;
  }

  private static long nearerZero(long a, long b) {
    return Math.abs(a) <= Math.abs(b) ? a : b;
  }
}
