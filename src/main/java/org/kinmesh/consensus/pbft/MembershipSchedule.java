package org.kinmesh.consensus.pbft;

import java.util.Map;
import java.util.TreeMap;

/**
 * Membership by height: a change committed in block h takes effect at h + 1 on every replica,
 * because the host reports it with {@link Event.Applied} for h before the replica touches h + 1.
 */
final class MembershipSchedule {
  private final TreeMap<Long, Membership> byStart = new TreeMap<>();

  MembershipSchedule(long fromHeight, Membership initial) {
    byStart.put(fromHeight, initial);
  }

  /** The membership for height h; heights before the first entry use the earliest one known. */
  Membership at(long height) {
    Map.Entry<Long, Membership> e = byStart.floorEntry(height);
    return e != null ? e.getValue() : byStart.firstEntry().getValue();
  }

  void changeFrom(long height, Membership m) {
    byStart.put(height, m);
    // Later entries would belong to a future that has not been decided yet.
    byStart.tailMap(height, false).clear();
  }
}
