package org.kinmesh.session;

import java.util.HashMap;
import java.util.Map;

/**
 * The newest initiation timestamp accepted from each member (a responder's memory, as
 * WireGuard's): an initiation that is not newer is a replay and is refused, so a recorded
 * handshake cannot replace a live session. Bounded by the member count. Not thread-safe: one
 * per node, on one thread.
 */
public final class InitiationReplayGuard {
  private final Map<String, Long> newest = new HashMap<>();

  /** Whether this timestamp is newer than any accepted from the member (does not record it). */
  public boolean isFresh(String identity, long timestampMillis) {
    Long last = newest.get(identity);
    return last == null || timestampMillis > last;
  }

  /** Records an accepted initiation. */
  public void record(String identity, long timestampMillis) {
    newest.merge(identity, timestampMillis, Math::max);
  }

  /** Forgets a member (removed from the chain). */
  public void forget(String identity) {
    newest.remove(identity);
  }
}
