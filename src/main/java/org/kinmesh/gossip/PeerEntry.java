package org.kinmesh.gossip;

import java.util.ArrayList;
import java.util.List;
import org.kinmesh.wire.gossip.NatType;

/** What the table keeps for one peer. Mutable; owned by the PeerTable. */
final class PeerEntry {
  final String key;
  /** Rendezvous weight against our own key: lower is kept first when the table is full. */
  final long weight;
  NatType nat = NatType.UNKNOWN;
  /** Highest announce version accepted (or restored from the cache); -1 when none. */
  long ver = -1;
  long lastUpdateMs;
  final List<EndpointEntry> endpoints = new ArrayList<>(GossipConfig.MAX_ENDPOINTS);

  PeerEntry(String key, long weight) {
    this.key = key;
    this.weight = weight;
  }
}
