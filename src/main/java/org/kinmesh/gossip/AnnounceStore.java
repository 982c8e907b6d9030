package org.kinmesh.gossip;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.kinmesh.wire.gossip.Announce;

/**
 * The newest accepted announce of each key, as the JSON that deltas carry, numbered by a local
 * counter (the responder's watermark of PROTOCOL.md §3.3): a new version of a key takes the
 * next number, so "everything after since" is a tail of the numbering. Deduplicates by key and
 * version, and holds at most {@code capacity} keys: beyond that the least recently updated
 * entry goes (the lowest number), never the node's own. Pure; owned by one event loop.
 */
public final class AnnounceStore {
  /**
   * One stored announce: its key, version, signed timestamp, number, and wire JSON; {@code json}
   * is null for a version remembered without its announce (from the cache), which is never sent.
   */
  public record Stored(String pubkey, long ver, long ts, long seq, String json) {}

  private final int capacity;
  private final String pinned;
  private final Map<String, Stored> byKey = new HashMap<>();
  private final TreeMap<Long, Stored> bySeq = new TreeMap<>();
  private long counter;

  public AnnounceStore(int capacity, String pinnedKey) {
    this.capacity = capacity;
    this.pinned = pinnedKey;
  }

  /** Highest version held for the key, -1 when none. */
  public long ver(String key) {
    Stored s = byKey.get(key);
    return s == null ? -1 : s.ver;
  }

  public Stored get(String key) {
    return byKey.get(key);
  }

  /** Stores an accepted announce under the next number; the caller has checked that its ver is newer. */
  public Stored put(Announce a) {
    Stored old = byKey.get(a.pubkey());
    if (old != null) {
      bySeq.remove(old.seq);
    }
    return insert(new Stored(a.pubkey(), a.ver(), a.ts(), ++counter, a.toJson().encode()));
  }

  /**
   * Remembers that {@code ver} of the key was accepted before (the cache says so) without its
   * announce: later announces must be newer. Nothing when a version as new is held already.
   */
  public void remember(String key, long ver) {
    Stored old = byKey.get(key);
    if (old != null) {
      if (old.ver >= ver) {
        return;
      }
      bySeq.remove(old.seq);
    }
    insert(new Stored(key, ver, 0, ++counter, null));
  }

  private Stored insert(Stored s) {
    byKey.put(s.pubkey, s);
    bySeq.put(s.seq, s);
    while (byKey.size() > capacity) {
      Stored eldest = null;
      for (Stored c : bySeq.values()) {
        if (!c.pubkey.equals(pinned)) {
          eldest = c;
          break;
        }
      }
      if (eldest == null) {
        break;
      }
      remove(eldest.pubkey);
    }
    return s;
  }

  public void remove(String key) {
    Stored s = byKey.remove(key);
    if (s != null) {
      bySeq.remove(s.seq);
    }
  }

  public void retain(Set<String> keys) {
    for (String k : byKey.keySet().toArray(new String[0])) {
      if (!keys.contains(k) && !k.equals(pinned)) {
        remove(k);
      }
    }
  }

  /** The responder's counter: the number of the newest entry ever stored. */
  public long counter() {
    return counter;
  }

  public int size() {
    return byKey.size();
  }

  /** Entries numbered after {@code since}, oldest first. */
  public Collection<Stored> after(long since) {
    return bySeq.tailMap(since, false).values();
  }
}
