package org.kinmesh.node.link;

/** Which paths a node may use (node config {@code path_policy}). */
public enum PathPolicy {
  /** Direct when a direct path works, relayed otherwise. */
  AUTO,
  /** Always through the relay (e.g. a node that must not reveal its address to peers). */
  FORCE_RELAY,
  /** Never through the relay (e.g. an operator who does not want the relay to see traffic). */
  DIRECT_ONLY;

  public static PathPolicy of(boolean forceRelay, boolean directOnly) {
    if (forceRelay && directOnly) {
      throw new IllegalArgumentException("force_relay and direct_only cannot both be set");
    }
    return forceRelay ? FORCE_RELAY : directOnly ? DIRECT_ONLY : AUTO;
  }
}
