package org.kinmesh.chain;

/** Where a registered node stands. Only ACTIVE nodes may join, propose or vote. */
public enum NodeStatus {
  ACTIVE,
  /** Suspended by one guardian until a block timestamp; reversible. */
  SUSPENDED,
  /** Time-locked permanent deauthorization: off at once, reverts unless confirmed in time. */
  PENDING_REMOVAL,
  /** Permanently deauthorized by M-of-N guardians; the key never returns. */
  REMOVED,
  /** Signed no commit for inactivity_days; a guardian may reactivate it. */
  INACTIVE;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static NodeStatus fromWire(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
