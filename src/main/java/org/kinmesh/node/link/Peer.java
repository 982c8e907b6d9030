package org.kinmesh.node.link;

import org.kinmesh.net.Backoff;
import org.kinmesh.net.CircuitBreaker;

/**
 * What the node knows about one authorized peer's paths: the one owner of it (docs/links.md §4b).
 * Gossip, the relay lookup and the Punch verticle tell it what they learn; dialing, punching and
 * routing ask it. Owned by the links verticle's event loop.
 */
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
  /** The peer's endpoints as gossip's peer table last published them (PEER_TABLE_UPDATED), best first. */
  java.util.List<String> tableEndpoints = java.util.List.of();
  /** The peer's WebSockets: the current one, and ours in their handshake. */
  final TcpLinkChoice<LinkSession> tcp;
  boolean dialing;
  long timer = -1;
  long lastSeenSecs = -1;
  /** Payload bytes the node handed us for the peer, and that the peer sent the node, on any path (for /peers). */
  long bytesOut;
  long bytesIn;
  String lastError;
  final PathSelector selector;
  /** When the relayed path may be tried again after the relay said the peer is not connected (0: now). */
  long relayedRetryAt;
  /** Why the peer is refused on every path (e.g. its genesis differs), for /peers; null when it is not. */
  String refused;
  /** The peer's relayed hello was accepted since our relay connection (or its) last came up. */
  boolean relayedAccepted;
  /** The peer said (in its signed relayed hello) that it takes no direct link: force_relay. */
  boolean peerForceRelay;
  /** Whether the peer is reported up. */
  final Reachability reach = new Reachability();
  /** The peer's NAT type as its signed gossip announce says. */
  String nat = "unknown";
  /** Monotonic ms of the last call-me we sent to the peer, and of the last one we acted on. */
  long lastCallMeSent = Long.MIN_VALUE / 2;
  long lastCallMeHonoured = Long.MIN_VALUE / 2;

  /** @param self our key: of two links, both sides keep the one the lower key dialed */
  Peer(String key, String self, int threshold, Backoff coolDown, PathPolicy policy) {
    this.key = key;
    boolean weAreLower = self.compareTo(key) < 0;
    this.tcp = new TcpLinkChoice<>(s -> s.dialedBySelf() == weAreLower);
    this.breaker = new CircuitBreaker(threshold, coolDown);
    this.selector = new PathSelector(policy);
  }

  /** The WebSocket carrying the direct_tcp path, or null. */
  LinkSession session() {
    return tcp.current();
  }

  long lastSeen() {
    LinkSession s = session();
    return s != null && s.lastSeenSecs() >= 0 ? s.lastSeenSecs() : lastSeenSecs;
  }
}
