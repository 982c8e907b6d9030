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
  /** The endpoint of the current (or last) dial, and whether the peer table gave it. */
  String dialed;
  boolean dialedFromTable;
  /** The last table endpoint failed: the next dial asks the relay. */
  boolean skipTable;
  LinkSession session;
  boolean dialing;
  long timer = -1;
  long lastSeenSecs = -1;
  String lastError;
  final PathSelector selector;
  /** When the relayed path may be tried again after the relay said the peer is not connected (0: now). */
  long relayedRetryAt;
  /** The peer was heard on some path since it was last reported down; and whether it is reported up now. */
  boolean heardSinceDown;
  boolean reachable;
  /** The peer's NAT type as its signed gossip announce says. */
  String nat = "unknown";
  /** Monotonic ms of the last call-me we sent to the peer, and of the last one we acted on. */
  long lastCallMeSent = Long.MIN_VALUE / 2;
  long lastCallMeHonoured = Long.MIN_VALUE / 2;

  Peer(String key, int threshold, Backoff coolDown, PathPolicy policy) {
    this.key = key;
    this.breaker = new CircuitBreaker(threshold, coolDown);
    this.selector = new PathSelector(policy);
  }

  long lastSeen() {
    return session != null && session.lastSeenSecs() >= 0 ? session.lastSeenSecs() : lastSeenSecs;
  }
}
