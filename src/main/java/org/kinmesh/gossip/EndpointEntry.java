package org.kinmesh.gossip;

import org.kinmesh.wire.gossip.Endpoint;

/** One endpoint of one peer in the table. Mutable; owned by the PeerTable (one event loop). */
final class EndpointEntry {
  final Endpoint endpoint;
  long lastSeenMs;
  Reachability reachable = Reachability.UNKNOWN;
  /** Bit mask of {@link Source}s that vouched for it. */
  int sources;
  double score;
  int failures;

  EndpointEntry(Endpoint endpoint, long lastSeenMs, int sources, double score) {
    this.endpoint = endpoint;
    this.lastSeenMs = lastSeenMs;
    this.sources = sources;
    this.score = score;
  }
}
