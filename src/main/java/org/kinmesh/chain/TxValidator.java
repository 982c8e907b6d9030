package org.kinmesh.chain;

import static org.kinmesh.chain.ValidationResult.Code.AWAITING_APPROVALS;
import static org.kinmesh.chain.ValidationResult.Code.CONFLICT;
import static org.kinmesh.chain.ValidationResult.Code.DUPLICATE;
import static org.kinmesh.chain.ValidationResult.Code.EXPIRED;
import static org.kinmesh.chain.ValidationResult.Code.INSUFFICIENT_PERMISSION;
import static org.kinmesh.chain.ValidationResult.Code.INVALID_SIGNATURE;
import static org.kinmesh.chain.ValidationResult.Code.INVITE_USED;
import static org.kinmesh.chain.ValidationResult.Code.MALFORMED;
import static org.kinmesh.chain.ValidationResult.Code.NOT_YET_VALID;
import static org.kinmesh.chain.ValidationResult.Code.UNKNOWN_TARGET;
import static org.kinmesh.chain.ValidationResult.Code.WRONG_CHAIN;

import org.kinmesh.wire.WireException;

/**
 * Pure validation of one transaction against the governance state at a block timestamp. The
 * checks run in a fixed order (chain, signature, time, replay, permission, state) and the
 * first that fails answers.
 */
public final class TxValidator {
  private TxValidator() {}

  /** Validates raw JSON: anything unparseable is MALFORMED. */
  public static ValidationResult validateJson(GovernanceState s, byte[] json, long blockTime) {
    return validateJson(s, json, blockTime, SignatureCheck.ALWAYS);
  }

  public static ValidationResult validateJson(GovernanceState s, byte[] json, long blockTime, SignatureCheck sig) {
    Transaction tx;
    try {
      tx = Transaction.parse(json);
    } catch (WireException e) {
      return ValidationResult.of(MALFORMED, e.getMessage());
    }
    return validate(s, tx, blockTime, sig);
  }

  /** For a submission: judged as if it went into the next block at time {@code now}. */
  public static ValidationResult validateForNext(GovernanceState s, Transaction tx, long now) {
    return validateForNext(s, tx, now, SignatureCheck.ALWAYS);
  }

  public static ValidationResult validateForNext(GovernanceState s, Transaction tx, long now, SignatureCheck sig) {
    return validate(Ledger.advance(s, Math.max(now, s.time())), tx, Math.max(now, s.time()), sig);
  }

  /** {@code s} must already be advanced to {@code blockTime} (expiries swept). */
  public static ValidationResult validate(GovernanceState s, Transaction tx, long blockTime) {
    return validate(s, tx, blockTime, SignatureCheck.ALWAYS);
  }

  /** As {@link #validate(GovernanceState, Transaction, long)}, with the signature checked through {@code sig}. */
  public static ValidationResult validate(GovernanceState s, Transaction tx, long blockTime, SignatureCheck sig) {
    ChainParams params = s.params();
    if (!tx.blockchainId().equals(params.blockchainId())) {
      return ValidationResult.of(WRONG_CHAIN, "transaction is for blockchain '" + tx.blockchainId() + "'");
    }
    if (tx.isSystem()) {
      return ValidationResult.of(INVALID_SIGNATURE, "unsigned system transactions are valid only in genesis");
    }
    if (!sig.valid(tx)) {
      return ValidationResult.of(INVALID_SIGNATURE, "signature does not verify for sender " + tx.sender());
    }
    if (tx.timestamp() > blockTime + ChainParams.MAX_FUTURE_SECS) {
      return ValidationResult.of(NOT_YET_VALID, "timestamp " + tx.timestamp() + " is after block time " + blockTime);
    }
    if (tx.timestamp() + params.txMaxAgeSecs() < blockTime) {
      return ValidationResult.of(EXPIRED, "timestamp " + tx.timestamp() + " is older than "
          + params.txMaxAgeSecs() + " s at block time " + blockTime);
    }
    if (tx.nonce() <= s.lastNonce(tx.sender())) {
      return ValidationResult.of(DUPLICATE, "replayed: nonce " + tx.nonce() + " is not above the sender's last "
          + s.lastNonce(tx.sender()));
    }
    if (!Permissions.allows(s, tx.sender(), tx.type())) {
      return ValidationResult.of(INSUFFICIENT_PERMISSION, tx.type().wire() + " needs "
          + Permissions.rule(tx.type()).permission().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
    if (tx.payload() instanceof Payload.Approval a) {
      return checkApproval(s, tx.sender(), a.resourceId(), blockTime);
    }
    if (tx.payload() instanceof Payload.NodeJoin j) {
      ValidationResult inviteProblem = checkInvite(s, j.invite(), blockTime);
      if (inviteProblem != null) {
        return inviteProblem;
      }
    }
    ValidationResult stateProblem = checkTarget(s, tx.payload(), tx.sender(), "");
    if (stateProblem != null) {
      return stateProblem;
    }
    if (Permissions.needsGuardianQuorum(s, tx)) {
      String what = tx.payload() instanceof Payload.NodeDeauthorization && s.params().timelockEnabled()
          ? "takes effect now and reverts unless confirmed within " + s.params().timelockHours() + " h"
          : "waits for approvals";
      return ValidationResult.of(AWAITING_APPROVALS, what + ": 1 of " + s.approvalThreshold() + " guardians");
    }
    return ValidationResult.valid(tx.type().wire() + " takes effect when committed");
  }

  private static ValidationResult checkApproval(GovernanceState s, String approver, String resourceId, long time) {
    Proposal p = s.proposals().get(resourceId);
    if (p == null) {
      ClosedProposal done = s.closed().get(resourceId);
      ProposalOutcome closed = done == null ? null : done.outcome();
      if (closed == ProposalOutcome.EXPIRED || closed == ProposalOutcome.REVERTED) {
        return ValidationResult.of(EXPIRED, "proposal " + resourceId + " expired before enough approvals");
      }
      if (closed != null) {
        return ValidationResult.of(CONFLICT, "proposal " + resourceId + " is already " + closed.wire());
      }
      return ValidationResult.of(UNKNOWN_TARGET, "no proposal " + resourceId);
    }
    if (time >= p.expiresAt()) {
      return ValidationResult.of(EXPIRED, "proposal " + resourceId + " expired at " + p.expiresAt());
    }
    if (p.approvers().contains(approver)) {
      return ValidationResult.of(DUPLICATE, "guardian already approved " + resourceId);
    }
    if (!p.timelock()) {
      ValidationResult problem = checkTarget(s, p.tx().payload(), p.tx().sender(), resourceId);
      if (problem != null) {
        return problem;
      }
    }
    int have = s.countedApprovals(p) + 1;
    if (have >= s.approvalThreshold()) {
      return ValidationResult.valid("approval " + have + " of " + s.approvalThreshold() + ": the proposal executes");
    }
    return ValidationResult.of(AWAITING_APPROVALS, "approval " + have + " of " + s.approvalThreshold());
  }

  /**
   * A join's invite at the block's time: for this chain and genesis, not expired, not used, and
   * signed by a current guardian (the signature itself was checked when the payload was parsed).
   */
  static ValidationResult checkInvite(GovernanceState s, org.kinmesh.invite.InviteGrant inv, long blockTime) {
    if (!inv.blockchainId().equals(s.params().blockchainId()) || !inv.genesisHash().equals(s.genesisHash())) {
      return ValidationResult.of(WRONG_CHAIN, "invite is for chain '" + inv.blockchainId() + "' with genesis "
          + inv.genesisHash() + ", but this is chain '" + s.params().blockchainId() + "' with genesis "
          + s.genesisHash() + "; ask a guardian of this family for an invite");
    }
    if (blockTime >= inv.expiresAt()) {
      return ValidationResult.of(EXPIRED, "invite expired at " + java.time.Instant.ofEpochSecond(inv.expiresAt())
          + " (block time " + java.time.Instant.ofEpochSecond(blockTime) + "); ask a guardian for a new invite");
    }
    if (s.usedInvites().contains(inv.id())) {
      return ValidationResult.of(INVITE_USED, "invite " + inv.id() + " was already used to join this chain;"
          + " an invite works once: ask a guardian for a new invite");
    }
    if (!s.isGuardian(inv.guardian())) {
      return ValidationResult.of(INSUFFICIENT_PERMISSION, "the invite was signed by " + inv.guardian()
          + ", which is not a guardian of this chain; ask a current guardian for an invite");
    }
    return null;
  }

  /**
   * State checks of an action's target; null when it can take effect. {@code sender} signed the
   * action (a join's node key); {@code ownResource} is the proposal being approved, so it does not
   * conflict with itself.
   */
  static ValidationResult checkTarget(GovernanceState s, Payload payload, String sender, String ownResource) {
    if (payload instanceof Payload.NodeJoin j) {
      NodeRecord known = s.nodes().get(sender);
      if (known != null && known.status() != NodeStatus.REMOVED) {
        return ValidationResult.of(DUPLICATE, "node key already registered with node_id " + known.nodeId() + " ("
            + known.status().wire() + ")");
      }
      if (pendingRegistrationOf(s, ownResource, sender)) {
        return ValidationResult.of(CONFLICT, "a pending proposal already registers this key; approve it instead");
      }
      return null;
    }
    if (payload instanceof Payload.NodeRegistration r) {
      if (r.nodePubkey().equals(Transaction.SYSTEM_SENDER)) {
        return ValidationResult.of(MALFORMED, "node_pubkey cannot be the system key");
      }
      NodeRecord known = s.nodes().get(r.nodePubkey());
      if (known != null && known.status() != NodeStatus.REMOVED) {
        return alreadyRegistered(known, r);
      }
      // A removed key may be registered again (its old node_id stays its own); any other node_id is taken.
      if (s.nodes().values().stream().anyMatch(n -> n.nodeId() == r.nodeId() && !n.pubkey().equals(r.nodePubkey()))) {
        return ValidationResult.of(CONFLICT, "node_id " + r.nodeId() + " is taken");
      }
      if (pendingOn(s, ownResource, other -> other instanceof Payload.NodeRegistration o
          && (o.nodePubkey().equals(r.nodePubkey()) || o.nodeId() == r.nodeId()))
          || pendingRegistrationOf(s, ownResource, r.nodePubkey())) {
        return ValidationResult.of(CONFLICT, "a pending proposal already registers that key or node_id");
      }
      return null;
    }
    if (payload instanceof Payload.NodeDeauthorization d) {
      NodeRecord n = s.nodes().get(d.targetPubkey());
      if (n == null) {
        return ValidationResult.of(UNKNOWN_TARGET, "no registered node " + d.targetPubkey());
      }
      if (n.status() == NodeStatus.REMOVED || n.status() == NodeStatus.PENDING_REMOVAL) {
        return ValidationResult.of(CONFLICT, "node is already " + n.status().wire());
      }
      if (n.consensusNode() && n.active() && s.activeConsensusCount() <= 1) {
        return ValidationResult.of(CONFLICT, "would leave no active consensus node");
      }
      if (d.mode() == Payload.DeauthMode.PERMANENT && pendingOn(s, ownResource,
          other -> other instanceof Payload.NodeDeauthorization o && o.targetPubkey().equals(d.targetPubkey()))) {
        return ValidationResult.of(CONFLICT, "a removal of this node is already proposed; approve it instead");
      }
      return null;
    }
    if (payload instanceof Payload.NodeReactivation r) {
      NodeRecord n = s.nodes().get(r.targetPubkey());
      if (n == null) {
        return ValidationResult.of(UNKNOWN_TARGET, "no registered node " + r.targetPubkey());
      }
      if (n.status() == NodeStatus.ACTIVE || n.status() == NodeStatus.REMOVED) {
        return ValidationResult.of(CONFLICT, "node is " + n.status().wire() + "; only suspended, inactive or "
            + "time-locked nodes can be reactivated");
      }
      return null;
    }
    if (payload instanceof Payload.FamilyMemberAdd a) {
      if (s.members().containsKey(a.memberPubkey())) {
        return ValidationResult.of(DUPLICATE, "already a family member");
      }
      if (pendingOn(s, ownResource,
          other -> other instanceof Payload.FamilyMemberAdd o && o.memberPubkey().equals(a.memberPubkey()))) {
        return ValidationResult.of(CONFLICT, "adding this member is already proposed; approve it instead");
      }
      return null;
    }
    if (payload instanceof Payload.FamilyMemberRemove r) {
      Member m = s.members().get(r.memberPubkey());
      if (m == null) {
        return ValidationResult.of(UNKNOWN_TARGET, "no family member " + r.memberPubkey());
      }
      if (m.guardian() && s.guardianCount() <= 1) {
        return ValidationResult.of(CONFLICT, "cannot remove the last guardian");
      }
      if (pendingOn(s, ownResource,
          other -> other instanceof Payload.FamilyMemberRemove o && o.memberPubkey().equals(r.memberPubkey()))) {
        return ValidationResult.of(CONFLICT, "removing this member is already proposed; approve it instead");
      }
      return null;
    }
    return null;
  }

  /** A pending registration or join of {@code key}, other than {@code ownResource}. */
  private static boolean pendingRegistrationOf(GovernanceState s, String ownResource, String key) {
    return s.proposals().values().stream().anyMatch(p -> !p.resourceId().equals(ownResource)
        && (p.tx().payload() instanceof Payload.NodeJoin && p.tx().sender().equals(key)
            || p.tx().payload() instanceof Payload.NodeRegistration o && o.nodePubkey().equals(key)));
  }

  private static boolean pendingOn(GovernanceState s, String ownResource,
      java.util.function.Predicate<Payload> same) {
    return s.proposals().values().stream()
        .anyMatch(p -> !p.resourceId().equals(ownResource) && same.test(p.tx().payload()));
  }

  /** The same registration again is a duplicate; a different one says how to change it (issue 12.6). */
  private static ValidationResult alreadyRegistered(NodeRecord known, Payload.NodeRegistration r) {
    String kind = known.consensusNode() ? "a consensus node" : "a non-consensus node";
    if (known.consensusNode() == r.consensusNode() && known.nodeId() == r.nodeId()) {
      return ValidationResult.of(DUPLICATE, "node key already registered as " + kind + " with node_id "
          + known.nodeId() + " (" + known.status().wire() + ")");
    }
    return ValidationResult.of(CONFLICT, "node key already registered as " + kind + " with node_id " + known.nodeId()
        + " (" + known.status().wire() + "); a registration cannot be changed in place: remove it first "
        + "(kinmesh admin node remove --pubkey " + r.nodePubkey() + ", approved by the guardians), then register it again");
  }
}
