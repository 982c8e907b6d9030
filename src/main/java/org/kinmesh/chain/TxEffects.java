package org.kinmesh.chain;

import java.util.TreeSet;

/** Applies a validated transaction to a working state and records what it did. */
final class TxEffects {
  private TxEffects() {}

  static void apply(GovernanceState.Builder b, GovernanceState before, Transaction tx, AuditLog log) {
    if (!tx.isSystem()) {
      b.nonces.put(tx.sender(), tx.nonce());
    }
    Payload p = tx.payload();
    if (p instanceof Payload.Data) {
      return;
    }
    if (p instanceof Payload.Approval a) {
      approve(b, tx, a.resourceId(), log);
      return;
    }
    String actor = tx.sender();
    if (p instanceof Payload.NodeJoin j) {
      // The invite is used up when the join is committed, whether it executes now or waits.
      b.usedInvites.add(j.invite().id());
      actor = j.invite().guardian();
    }
    if (!tx.isSystem() && Permissions.needsGuardianQuorum(before, tx)) {
      propose(b, tx, actor, log);
      return;
    }
    execute(b, tx, actor, tx.hash(), log);
  }

  /** The effect itself, whether at once or once approved. */
  private static void execute(GovernanceState.Builder b, Transaction tx, String actor, String txHash, AuditLog log) {
    Payload p = tx.payload();
    long now = b.time;
    if (p instanceof Payload.NodeRegistration r) {
      b.nodes.put(r.nodePubkey(), new NodeRecord(r.nodePubkey(), r.nodeId(), r.consensusNode(), NodeStatus.ACTIVE,
          now, now, 0, ""));
      log.add(txHash, actor, "node_registered", r.nodePubkey(),
          "node_id " + r.nodeId() + (r.consensusNode() ? ", consensus" : ", non-consensus"));
    } else if (p instanceof Payload.NodeJoin j) {
      long id = freeNodeId(b);
      boolean consensus = j.invite().consensus();
      b.nodes.put(tx.sender(), new NodeRecord(tx.sender(), id, consensus, NodeStatus.ACTIVE, now, now, 0, ""));
      log.add(txHash, j.invite().guardian(), "node_registered", tx.sender(), "node_id " + id
          + (consensus ? ", consensus" : ", non-consensus") + ", joined with invite " + j.invite().id());
    } else if (p instanceof Payload.NodeDeauthorization d) {
      NodeRecord n = b.nodes.get(d.targetPubkey());
      if (d.mode() == Payload.DeauthMode.SUSPEND) {
        b.nodes.put(n.pubkey(), n.withStatus(NodeStatus.SUSPENDED, now + d.suspendTtlSecs(), ""));
        log.add(txHash, actor, "node_suspended", n.pubkey(), d.reason() + " (until " + (now + d.suspendTtlSecs()) + ")");
      } else {
        b.nodes.put(n.pubkey(), n.withStatus(NodeStatus.REMOVED, 0, ""));
        log.add(txHash, actor, "node_removed", n.pubkey(), d.reason());
      }
    } else if (p instanceof Payload.NodeReactivation r) {
      NodeRecord n = b.nodes.get(r.targetPubkey());
      if (n.status() == NodeStatus.PENDING_REMOVAL) {
        Proposal cancelled = b.proposals.remove(n.pendingResource());
        b.closed.put(n.pendingResource(), new ClosedProposal(cancelled, ProposalOutcome.CANCELLED));
      }
      b.nodes.put(n.pubkey(), n.activeAgain(now));
      log.add(txHash, actor, "node_reactivated", n.pubkey(), r.reason() + " (was " + n.status().wire() + ")");
    } else if (p instanceof Payload.FamilyMemberAdd a) {
      b.members.put(a.memberPubkey(), new Member(a.memberPubkey(), a.displayName(), a.role(), now));
      log.add(txHash, actor, "member_added", a.memberPubkey(), a.role().wire() + " " + a.displayName());
    } else if (p instanceof Payload.FamilyMemberRemove r) {
      b.members.remove(r.memberPubkey());
      log.add(txHash, actor, "member_removed", r.memberPubkey(), r.reason());
    }
  }

  /**
   * The smallest node_id no node holds and no pending registration claims: the joining node
   * cannot know it when it signs, and every replica computes the same one.
   */
  private static long freeNodeId(GovernanceState.Builder b) {
    java.util.Set<Long> taken = new java.util.HashSet<>();
    b.nodes.values().forEach(n -> taken.add(n.nodeId()));
    b.proposals.values().forEach(p -> {
      if (p.tx().payload() instanceof Payload.NodeRegistration r) {
        taken.add(r.nodeId());
      }
    });
    long id = 1;
    while (taken.contains(id)) {
      id++;
    }
    return id;
  }

  /** {@code author} is the first approver: the sender, or for a join the guardian who invited. */
  private static void propose(GovernanceState.Builder b, Transaction tx, String author, AuditLog log) {
    long now = b.time;
    TreeSet<String> approvers = new TreeSet<>();
    approvers.add(author);
    if (tx.payload() instanceof Payload.NodeDeauthorization d && b.params.timelockEnabled()) {
      NodeRecord n = b.nodes.get(d.targetPubkey());
      b.nodes.put(n.pubkey(), n.withStatus(NodeStatus.PENDING_REMOVAL, 0, tx.hash()));
      b.proposals.put(tx.hash(), new Proposal(tx.hash(), tx, now, now + b.params.timelockSecs(), approvers, true));
      log.add(tx.hash(), tx.sender(), "node_deauthorized_provisional", n.pubkey(),
          d.reason() + " (reverts at " + (now + b.params.timelockSecs()) + " unless confirmed)");
      return;
    }
    Proposal p = new Proposal(tx.hash(), tx, now, now + b.params.approvalWindowSecs(), approvers, false);
    b.proposals.put(tx.hash(), p);
    log.add(tx.hash(), author, "proposal_created", p.target(), tx.type().wire() + " expires at " + p.expiresAt());
  }

  private static void approve(GovernanceState.Builder b, Transaction tx, String resourceId, AuditLog log) {
    Proposal p = b.proposals.get(resourceId).withApprover(tx.sender());
    b.proposals.put(resourceId, p);
    log.add(tx.hash(), tx.sender(), "approval_recorded", p.target(), "approves " + resourceId);
    GovernanceState now = b.build();
    if (now.countedApprovals(p) < now.approvalThreshold()) {
      return;
    }
    b.proposals.remove(resourceId);
    String approvedBy = "approved by " + String.join(",", p.approvers());
    if (p.timelock()) {
      NodeRecord n = b.nodes.get(p.target());
      b.nodes.put(n.pubkey(), n.withStatus(NodeStatus.REMOVED, 0, ""));
      b.closed.put(resourceId, new ClosedProposal(p, ProposalOutcome.CONFIRMED));
      log.add(resourceId, p.tx().sender(), "node_removed", n.pubkey(), approvedBy);
    } else {
      b.closed.put(resourceId, new ClosedProposal(p, ProposalOutcome.EXECUTED));
      execute(b, p.tx(), p.tx().sender(), resourceId, log);
    }
  }
}
