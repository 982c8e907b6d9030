package org.kinmesh.gossip;

import org.kinmesh.bus.BusScope;
import org.kinmesh.chain.ChainAddresses;
import org.kinmesh.stun.StunAddresses;

/**
 * The event-bus addresses one Gossip verticle uses: the ones it consumes from the ledger and
 * Stun, and its own (peerTableUpdated, peerTableQuery, peerEndpointResult, status, http). A node
 * uses {@link #in} with its scope; the benchmark runs many gossip verticles in one Vert.x, each
 * with its own prefix, beside UdpTransports with prefixed {@code UdpAddresses}.
 */
public record GossipAddresses(String authorizedSet, String authorizedSetQuery, String stunState, String stunStateQuery,
    String peerTableUpdated, String peerTableQuery, String peerEndpointResult, String status, String http) {

  public static final GossipAddresses DEFAULT = in(BusScope.DEFAULT);

  /** A node's gossip addresses in {@code scope}. */
  public static GossipAddresses in(BusScope scope) {
    ChainAddresses chain = ChainAddresses.in(scope);
    StunAddresses stun = StunAddresses.in(scope);
    return new GossipAddresses(chain.authorizedSet(), chain.authorizedSetQuery(), stun.state(), stun.stateQuery(),
        scope.internal("gossip.peer"), scope.internal("gossip.query"), scope.internal("gossip.endpoint_result"),
        scope.internal("gossip.status"), scope.internal("gossip.http"));
  }

  /** Every address of {@link #DEFAULT} under {@code prefix.}. */
  public static GossipAddresses prefixed(String prefix) {
    GossipAddresses d = DEFAULT;
    return new GossipAddresses(p(prefix, d.authorizedSet), p(prefix, d.authorizedSetQuery), p(prefix, d.stunState),
        p(prefix, d.stunStateQuery), p(prefix, d.peerTableUpdated), p(prefix, d.peerTableQuery),
        p(prefix, d.peerEndpointResult), p(prefix, d.status), p(prefix, d.http));
  }

  private static String p(String prefix, String address) {
    return prefix + "." + address;
  }
}
