package org.kinmesh.node;

/**
 * Event-bus addresses. The public API for a host application (docs/embedding.md) is the first
 * group; everything under kinmesh.internal. is wiring between the node's verticles.
 */
public final class Addresses {
  private Addresses() {}

  // ---- public API ----
  /** request/reply: a transaction as JSON; reply {"hash"} or a failure whose message is {"error","message"}. */
  public static final String CHAIN_SUBMIT = "kinmesh.chain.submit";
  /** publish: each committed block {"height","hash","prev_hash","proposer","timestamp","transactions"}. */
  public static final String CHAIN_COMMITTED = "kinmesh.chain.committed";
  /** request/reply: role, view, height, quorum mode, own endpoint and NAT type. */
  public static final String NODE_STATUS = "kinmesh.node.status";
  /** request/reply: every authorized peer with path, endpoint, NAT, last seen, score. */
  public static final String PEERS_STATUS = "kinmesh.peers.status";
  /** publish: peer up/down and path changes. */
  public static final String PEERS_EVENTS = "kinmesh.peers.events";

  // ---- internal ----
  /** Links, send: {"to": pubkey, "payload": string}; fire and forget. */
  public static final String LINKS_SEND = "kinmesh.internal.links.send";
  /** Links, broadcast to every connected authorized peer: {"payload": string}. */
  public static final String LINKS_BROADCAST = "kinmesh.internal.links.broadcast";
  /** Links publishes what peers sent: {"from": pubkey, "payload": string}. */
  public static final String LINKS_INBOUND = "kinmesh.internal.links.inbound";
  /** The ledger publishes the authorized consensus keys whenever they change: {"height","keys":[...]}. */
  public static final String AUTHORIZED_SET = org.kinmesh.chain.ChainAddresses.DEFAULT.authorizedSet();
  /** request/reply: the current authorized set, same body as AUTHORIZED_SET. */
  public static final String AUTHORIZED_SET_QUERY = org.kinmesh.chain.ChainAddresses.DEFAULT.authorizedSetQuery();
  /** RelayClient, request/reply: {"pubkey"} → {"ip","port","last_seen"} or a failure. */
  public static final String RELAY_LOOKUP = "kinmesh.internal.relay.lookup";
  /** RelayClient publishes its registration state: {"registered", "observed_ip", "observed_port"}. */
  public static final String RELAY_STATE = "kinmesh.internal.relay.state";
  /**
   * Stun publishes its view whenever it changes (and after each refresh that found one):
   * {"public_ip","public_port","nat_type","local_port"}; public_ip/public_port are absent
   * (null) while no STUN server has answered, nat_type is then "unknown".
   */
  public static final String STUN_STATE = org.kinmesh.stun.StunAddresses.DEFAULT.state();
  /** request/reply: Stun's current view, same body as STUN_STATE. */
  public static final String STUN_STATE_QUERY = org.kinmesh.stun.StunAddresses.DEFAULT.stateQuery();
  /**
   * request/reply: probe now (joins a probe already running); replies with the view after it,
   * same body as STUN_STATE. For tests and for hosts that know the network just changed.
   */
  public static final String STUN_REFRESH = org.kinmesh.stun.StunAddresses.DEFAULT.refresh();
  /**
   * Gossip publishes peer-table changes: {"pubkey","endpoints":[{"endpoint","ip","port",...}],"nat","ver"}, best
   * first; a peer that left the table (deauthorized, expired) comes with "removed": true and no endpoints.
   */
  public static final String PEER_TABLE_UPDATED = org.kinmesh.gossip.GossipAddresses.DEFAULT.peerTableUpdated();
  /**
   * request/reply to Gossip: {"pubkey"} → {"pubkey","endpoints":[{"endpoint","ip","port","source","reachable",
   * "score",...}],"nat","ver"}, endpoints best first; failure 404 when the table has no endpoint for that key.
   */
  public static final String PEER_TABLE_QUERY = org.kinmesh.gossip.GossipAddresses.DEFAULT.peerTableQuery();
  /**
   * Links report path outcomes to Gossip (score): {"pubkey","endpoint":"ip:port","ok":bool,"source"}; source
   * ("relay", "table", ...) says where the links got an endpoint the table may not know yet.
   */
  public static final String PEER_ENDPOINT_RESULT = org.kinmesh.gossip.GossipAddresses.DEFAULT.peerEndpointResult();
  /**
   * request/reply to Gossip: {"table": bool, "pubkey"} → own announce state, table size, drop counters (and the
   * table; and "known_ver", the highest version held for that key).
   */
  public static final String GOSSIP_STATUS = org.kinmesh.gossip.GossipAddresses.DEFAULT.status();
  /** request/reply to Gossip, the HTTP fallback: {"source_ip","data": bytes} → {"status": int, "body": json}. */
  public static final String GOSSIP_HTTP = org.kinmesh.gossip.GossipAddresses.DEFAULT.http();
}
