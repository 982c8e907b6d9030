package org.kinmesh.node.link;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.util.TimeSource;

/**
 * What every part of the links shares: settings, our identity, the peers and the counters.
 * Used on the links verticle's event loop only; {@link #boundPort} and the counters are also
 * read from other threads.
 */
final class LinkContext {
  final Vertx vertx;
  /** The node's event-bus addresses, set by the links verticle at start. */
  NodeAddresses addresses = NodeAddresses.DEFAULT;
  final LinkSettings settings;
  final Identity identity;
  /**
   * The node's one clock: its wall time for hello timestamps, last_seen and rate limits, its
   * monotonic time ({@link #monotonicMillis()}) for RTTs, silences, back-off and path deadlines.
   */
  final TimeSource clock;
  final PathPolicy policy;
  /** Our genesis block's hash: a peer's hello must name the same (issue 12.5). */
  final String genesis;
  final String self;
  /** Log prefix: {@code node=<short id>}. */
  final String log;
  final LinkCounters counters;
  /** Peers refused for another genesis: counted at every refusal, logged once per peer. */
  final GenesisRefusals refusals;
  /** The authorized peers we keep links to, by key (sorted, for PEERS_STATUS). */
  final Map<String, Peer> peers = new TreeMap<>();
  /** The latest authorized set (holds our own key too, and any key beyond the peer limit). */
  Set<String> authorized = Set.of();
  long authorizedHeight = -1;
  boolean stopping;
  /** The TCP port links listen on, once the server is up. */
  volatile int boundPort = -1;

  LinkContext(Vertx vertx, LinkSettings settings, Identity identity, TimeSource clock, PathPolicy policy,
      String genesis, LinkCounters counters) {
    this.vertx = vertx;
    this.genesis = genesis;
    this.counters = counters;
    this.settings = settings;
    this.identity = identity;
    this.clock = clock;
    this.policy = policy;
    this.self = identity.publicKeyHex();
    this.log = "node=" + identity.shortId();
    this.refusals = new GenesisRefusals(this);
  }

  Peer peer(String key) {
    return key == null ? null : peers.get(key);
  }

  /** Backoff, breaker and path timing run on the injected clock's monotonic time. */
  long monotonicMillis() {
    return clock.monotonicNanos() / 1_000_000L;
  }

  long monotonicNanos() {
    return clock.monotonicNanos();
  }
}
