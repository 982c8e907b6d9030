package org.kinmesh.node.link;

import org.kinmesh.net.Backoff;
import org.kinmesh.net.CircuitBreaker;

/** What the links verticle knows about one authorized peer. Owned by the verticle's event loop. */
final class Peer {
  final String key;
  final CircuitBreaker breaker;
  PeerState state = PeerState.CONNECTING;
  /** Last endpoint the relay gave for this peer, and until when (timer clock) it is trusted. */
  String endpoint;
  long endpointUntilMillis;
  LinkSession session;
  boolean dialing;
  long timer = -1;
  long lastSeenSecs = -1;
  String lastError;
  final PathSelector selector;
  /** When the relayed path may be tried again after the relay said the peer is not connected (0: now). */
  long relayedRetryAt;

  Peer(String key, int threshold, Backoff coolDown, PathPolicy policy) {
    this.key = key;
    this.breaker = new CircuitBreaker(threshold, coolDown);
    this.selector = new PathSelector(policy);
  }

  long lastSeen() {
    return session != null && session.lastSeenSecs() >= 0 ? session.lastSeenSecs() : lastSeenSecs;
  }
}
