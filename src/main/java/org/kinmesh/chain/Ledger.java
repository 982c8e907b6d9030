package org.kinmesh.chain;

import static org.kinmesh.chain.ValidationResult.Code.INVALID_BLOCK;
import static org.kinmesh.chain.ValidationResult.Code.NOT_A_CONSENSUS_NODE;
import static org.kinmesh.chain.ValidationResult.Code.WRONG_CHAIN;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The state machine: genesis, then one committed block at a time. Time is the block timestamp
 * only. Order within a block: credit the proposer and the previous commit's signers, sweep
 * what has expired by the block's time (suspensions, proposals, time-locks, inactivity), then
 * validate and apply each transaction in order. Any rejected transaction rejects the block.
 */
public final class Ledger {
  private Ledger() {}

  /** A new state and the audit entries the block produced. */
  public record Applied(GovernanceState state, List<AuditEntry> audit) {}

  public static Applied genesis(Block b) throws InvalidBlockException {
    if (b.height() != 0 || !b.prevHash().equals(Block.ZERO_HASH) || !b.proposer().equals(Transaction.SYSTEM_SENDER)
        || !b.lastCommitSigners().isEmpty()) {
      throw blockError(INVALID_BLOCK, "genesis must be height 0 with zero prev_hash, system proposer, no signers");
    }
    GovernanceState.Builder w = new GovernanceState.Builder(b.params());
    w.height = 0;
    w.time = b.timestamp();
    AuditLog log = new AuditLog(0, b.timestamp());
    for (int i = 0; i < b.transactions().size(); i++) {
      Transaction tx = b.transactions().get(i);
      GovernanceState before = w.build();
      ValidationResult r = checkGenesisTx(before, tx, i);
      if (r != null) {
        throw new InvalidBlockException(r, i);
      }
      TxEffects.apply(w, before, tx, log);
    }
    GovernanceState s = w.build();
    if (s.guardianCount() < 1 || s.activeConsensusCount() < 1) {
      throw blockError(INVALID_BLOCK, "genesis needs at least one guardian and one consensus node");
    }
    if (b.params().deauthThreshold() > s.guardianCount()) {
      throw blockError(INVALID_BLOCK, "deauth_threshold " + b.params().deauthThreshold() + " exceeds the "
          + s.guardianCount() + " genesis guardians");
    }
    w.headHash = b.hash();
    w.genesisHash = b.hash();
    return new Applied(w.build(), log.entries());
  }

  private static ValidationResult checkGenesisTx(GovernanceState s, Transaction tx, int i) {
    if (!tx.isSystem() || !tx.signature().equals(Transaction.SYSTEM_SIGNATURE) || tx.nonce() != i + 1) {
      return ValidationResult.of(INVALID_BLOCK, "genesis transactions are system transactions numbered from 1");
    }
    if (!Permissions.rule(tx.type()).inGenesis()) {
      return ValidationResult.of(INVALID_BLOCK, tx.type().wire() + " cannot appear in genesis");
    }
    return TxValidator.checkTarget(s, tx.payload(), tx.sender(), "");
  }

  public static Applied apply(GovernanceState s, Block b) throws InvalidBlockException {
    return apply(s, b, SignatureCheck.ALWAYS);
  }

  /** As {@link #apply(GovernanceState, Block)}, with transaction signatures checked through {@code sig}. */
  public static Applied apply(GovernanceState s, Block b, SignatureCheck sig) throws InvalidBlockException {
    return apply(s, b.blockchainId(), b.height(), b.prevHash(), b.timestamp(), b.proposer(), b.lastCommitSigners(),
        b.transactions(), b.hash(), sig);
  }

  /**
   * A block whose DATA transactions are reduced to their hashes (the relay's replay). Every part of
   * the state but the nonces comes out as {@link #apply} gives it: DATA changes only its sender's
   * nonce, nothing reads a nonce but the replay check of a later transaction, and a nonce the relay
   * lacks is lower than the real one (nonces grow), so every transaction the chain took passes here
   * too (docs/relay.md, "What the relay never holds").
   */
  public static Applied applyFollowed(GovernanceState s, FollowedBlock b, SignatureCheck sig)
      throws InvalidBlockException {
    return apply(s, b.blockchainId(), b.height(), b.prevHash(), b.timestamp(), b.proposer(), b.lastCommitSigners(),
        b.governance(), b.hash(), sig);
  }

  private static Applied apply(GovernanceState s, String blockchainId, long height, String prevHash, long timestamp,
      String proposerKey, List<String> lastCommitSigners, List<Transaction> txs, String hash, SignatureCheck sig)
      throws InvalidBlockException {
    if (!blockchainId.equals(s.params().blockchainId())) {
      throw blockError(WRONG_CHAIN, "block is for blockchain '" + blockchainId + "'");
    }
    if (height != s.height() + 1) {
      throw blockError(INVALID_BLOCK, "height " + height + " does not follow " + s.height());
    }
    if (!prevHash.equals(s.headHash())) {
      throw blockError(INVALID_BLOCK, "prev_hash does not match the head " + s.headHash());
    }
    if (timestamp < s.time()) {
      throw blockError(INVALID_BLOCK, "timestamp " + timestamp + " is before the head's " + s.time());
    }
    ValidationResult proposer = s.checkVoter(proposerKey);
    if (!proposer.accepted()) {
      throw blockError(NOT_A_CONSENSUS_NODE, "proposer: " + proposer.message());
    }
    for (String signer : lastCommitSigners) {
      NodeRecord n = s.nodes().get(signer);
      if (n == null || !n.consensusNode()) {
        throw blockError(NOT_A_CONSENSUS_NODE, "commit signer " + signer + " is not a consensus node");
      }
    }
    GovernanceState.Builder w = s.toBuilder();
    w.height = height;
    AuditLog log = new AuditLog(height, timestamp);
    List<String> credited = new ArrayList<>(lastCommitSigners);
    credited.add(proposerKey);
    advance(w, timestamp, credited, log);
    for (int i = 0; i < txs.size(); i++) {
      Transaction tx = txs.get(i);
      GovernanceState before = w.build();
      ValidationResult r = TxValidator.validate(before, tx, timestamp, sig);
      if (!r.accepted()) {
        throw new InvalidBlockException(r, i);
      }
      TxEffects.apply(w, before, tx, log);
    }
    w.headHash = hash;
    return new Applied(w.build(), log.entries());
  }

  /**
   * What a proposer can put in its next block: the candidates, in order, that are each valid after
   * the ones before them at the block's time, with the proposer and the previous commit's signers
   * credited as {@link #apply} will. A refused candidate (a nonce already used, an expired
   * timestamp, a proposal overtaken by another) is skipped instead of sinking the whole block, so
   * one stale transaction never costs the others their turn. {@link #apply} of a block holding
   * exactly these succeeds, barring a block-level fault (height, parent, proposer, signers).
   */
  public static List<Transaction> select(GovernanceState s, long timestamp, String proposer, List<String> signers,
      List<Transaction> candidates, SignatureCheck sig) {
    GovernanceState.Builder w = s.toBuilder();
    w.height = s.height() + 1;
    AuditLog log = new AuditLog(w.height, timestamp);
    List<String> credited = new ArrayList<>(signers);
    credited.add(proposer);
    advance(w, Math.max(timestamp, s.time()), credited, log);
    List<Transaction> out = new ArrayList<>();
    for (Transaction tx : candidates) {
      if (!tx.blockchainId().equals(s.params().blockchainId())) {
        continue;
      }
      GovernanceState before = w.build();
      if (TxValidator.validate(before, tx, timestamp, sig).accepted()) {
        TxEffects.apply(w, before, tx, log);
        out.add(tx);
      }
    }
    return out;
  }

  /** Replays a whole chain from genesis. */
  public static GovernanceState replay(List<Block> blocks) throws InvalidBlockException {
    GovernanceState s = genesis(blocks.get(0)).state();
    for (int i = 1; i < blocks.size(); i++) {
      s = apply(s, blocks.get(i)).state();
    }
    return s;
  }

  /** The state as a block at time t would see it before its transactions (no credits). */
  static GovernanceState advance(GovernanceState s, long t) {
    return advance(s, t, List.of());
  }

  /** As a block at time t with these credited signers sees the state before its transactions. */
  static GovernanceState advance(GovernanceState s, long t, List<String> credited) {
    GovernanceState.Builder w = s.toBuilder();
    advance(w, t, credited, new AuditLog(s.height() + 1, t));
    return w.build();
  }

  private static void advance(GovernanceState.Builder w, long t, List<String> credited, AuditLog log) {
    w.time = t;
    for (String key : credited) {
      NodeRecord n = w.nodes.get(key);
      if (n != null && n.consensusNode() && n.active()) {
        w.nodes.put(key, n.seen(t));
      }
    }
    for (NodeRecord n : new ArrayList<>(w.nodes.values())) {
      if (n.status() == NodeStatus.SUSPENDED && n.suspendedUntil() <= t) {
        w.nodes.put(n.pubkey(), n.activeAgain(n.suspendedUntil()));
        log.system("suspension_expired", n.pubkey(), "suspended until " + n.suspendedUntil());
      }
    }
    for (Map.Entry<String, Proposal> e : new ArrayList<>(w.proposals.entrySet())) {
      Proposal p = e.getValue();
      if (p.expiresAt() > t) {
        continue;
      }
      w.proposals.remove(e.getKey());
      if (p.timelock()) {
        NodeRecord n = w.nodes.get(p.target());
        if (n != null && n.status() == NodeStatus.PENDING_REMOVAL && n.pendingResource().equals(p.resourceId())) {
          w.nodes.put(n.pubkey(), n.activeAgain(p.expiresAt()));
        }
        w.closed.put(p.resourceId(), new ClosedProposal(p, ProposalOutcome.REVERTED));
        log.system("deauthorization_reverted", p.target(), "not confirmed by " + p.expiresAt());
      } else {
        w.closed.put(p.resourceId(), new ClosedProposal(p, ProposalOutcome.EXPIRED));
        log.system("proposal_expired", p.target(), p.tx().type().wire() + " " + p.resourceId());
      }
    }
    long window = w.params.inactivitySecs();
    if (window > 0) {
      for (NodeRecord n : new ArrayList<>(w.nodes.values())) {
        if (n.consensusNode() && n.active() && n.lastSeen() + window <= t) {
          w.nodes.put(n.pubkey(), n.withStatus(NodeStatus.INACTIVE, 0, ""));
          log.system("node_inactive", n.pubkey(), "no commit signature since " + n.lastSeen());
        }
      }
    }
  }

  private static InvalidBlockException blockError(ValidationResult.Code code, String message) {
    return new InvalidBlockException(ValidationResult.of(code, message), -1);
  }
}
