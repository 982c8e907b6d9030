package org.kinmesh.gossip;

import org.kinmesh.node.Addresses;

/**
 * The event-bus addresses one Gossip verticle uses. A node uses {@link #DEFAULT} (the
 * {@link Addresses} constants); the benchmark runs many gossip verticles in one Vert.x, each
 * with its own prefix, beside UdpTransports with prefixed {@code UdpAddresses}.
 */
public record GossipAddresses(String authorizedSet, String authorizedSetQuery, String stunState, String stunStateQuery,
    String peerTableUpdated, String peerTableQuery, String peerEndpointResult, String status, String http) {

  public static final GossipAddresses DEFAULT = new GossipAddresses(Addresses.AUTHORIZED_SET,
      Addresses.AUTHORIZED_SET_QUERY, Addresses.STUN_STATE, Addresses.STUN_STATE_QUERY, Addresses.PEER_TABLE_UPDATED,
      Addresses.PEER_TABLE_QUERY, Addresses.PEER_ENDPOINT_RESULT, Addresses.GOSSIP_STATUS, Addresses.GOSSIP_HTTP);

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
