package org.kinmesh.chain;

/**
 * A registered node as governance sees it. lastSeen is the block timestamp of the node's latest
 * credited commit signature (or of its registration or reactivation); suspendedUntil is 0 unless
 * SUSPENDED; pendingResource names the time-lock proposal while PENDING_REMOVAL, else "".
 */
public record NodeRecord(String pubkey, long nodeId, boolean consensusNode, NodeStatus status, long registeredAt,
    long lastSeen, long suspendedUntil, String pendingResource) {

  public boolean active() {
    return status == NodeStatus.ACTIVE;
  }

  NodeRecord withStatus(NodeStatus s, long until, String resource) {
    return new NodeRecord(pubkey, nodeId, consensusNode, s, registeredAt, lastSeen, until, resource);
  }

  NodeRecord activeAgain(long seenAt) {
    return new NodeRecord(pubkey, nodeId, consensusNode, NodeStatus.ACTIVE, registeredAt, seenAt, 0, "");
  }

  NodeRecord seen(long at) {
    return new NodeRecord(pubkey, nodeId, consensusNode, status, registeredAt, at, suspendedUntil, pendingResource);
  }
}
