package org.kinmesh.chain;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who takes part, derived from committed blocks only: nodes, family members, open and closed
 * proposals, and each sender's last nonce, as of the head block. Immutable; {@link Ledger}
 * produces the next state from a block. Equal chains give equal states.
 */
public record GovernanceState(ChainParams params, String genesisHash, long height, String headHash, long time,
    SortedMap<String, NodeRecord> nodes, SortedMap<String, Member> members, SortedMap<String, Proposal> proposals,
    SortedMap<String, ClosedProposal> closed, SortedMap<String, Long> nonces, SortedSet<String> usedInvites) {

  public GovernanceState {
    nodes = freeze(nodes);
    members = freeze(members);
    proposals = freeze(proposals);
    closed = freeze(closed);
    nonces = freeze(nonces);
    usedInvites = Collections.unmodifiableSortedSet(new TreeSet<>(usedInvites));
  }

  private static <V> SortedMap<String, V> freeze(Map<String, V> m) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(m));
  }

  // ---- queries the consensus layer and the node use ----

  /** Active consensus nodes, ordered by key. */
  public List<NodeRecord> authorizedConsensusNodes() {
    return nodes.values().stream().filter(n -> n.consensusNode() && n.active()).toList();
  }

  public int activeConsensusCount() {
    return authorizedConsensusNodes().size();
  }

  /** True when the key is a registered node in ACTIVE status (consensus or not). */
  public boolean isAuthorized(String pubkey) {
    NodeRecord n = nodes.get(pubkey);
    return n != null && n.active();
  }

  /** Whether a key may join consensus and vote; the answer says why not. */
  public ValidationResult checkVoter(String pubkey) {
    NodeRecord n = nodes.get(pubkey);
    if (n == null || !n.consensusNode()) {
      return ValidationResult.of(ValidationResult.Code.NOT_A_CONSENSUS_NODE, "key is not a registered consensus node");
    }
    if (!n.active()) {
      return ValidationResult.of(ValidationResult.Code.NOT_A_CONSENSUS_NODE,
          "consensus node is " + n.status().wire());
    }
    return ValidationResult.valid("active consensus node");
  }

  public boolean isGuardian(String pubkey) {
    Member m = members.get(pubkey);
    return m != null && m.guardian();
  }

  public boolean isMember(String pubkey) {
    return members.containsKey(pubkey);
  }

  public int guardianCount() {
    return (int) members.values().stream().filter(Member::guardian).count();
  }

  /** M of M-of-N: the genesis threshold, capped by the guardians there are, so nobody is locked out. */
  public int approvalThreshold() {
    return Math.max(1, Math.min(params.deauthThreshold(), guardianCount()));
  }

  public long lastNonce(String sender) {
    return nonces.getOrDefault(sender, 0L);
  }

  /** Approvals of a proposal that still count: those by current guardians. */
  public int countedApprovals(Proposal p) {
    return (int) p.approvers().stream().filter(this::isGuardian).count();
  }

  Builder toBuilder() {
    return new Builder(this);
  }

  /** Working copy for one transition. */
  static final class Builder {
    final ChainParams params;
    String genesisHash;
    long height;
    String headHash;
    long time;
    final TreeMap<String, NodeRecord> nodes;
    final TreeMap<String, Member> members;
    final TreeMap<String, Proposal> proposals;
    final TreeMap<String, ClosedProposal> closed;
    final TreeMap<String, Long> nonces;
    /** Ids of invites joins have used: each works once (docs/guide.md, "Invites"). */
    final TreeSet<String> usedInvites;

    Builder(GovernanceState s) {
      params = s.params;
      genesisHash = s.genesisHash;
      height = s.height;
      headHash = s.headHash;
      time = s.time;
      nodes = new TreeMap<>(s.nodes);
      members = new TreeMap<>(s.members);
      proposals = new TreeMap<>(s.proposals);
      closed = new TreeMap<>(s.closed);
      nonces = new TreeMap<>(s.nonces);
      usedInvites = new TreeSet<>(s.usedInvites);
    }

    Builder(ChainParams params) {
      this.params = params;
      height = -1;
      genesisHash = Block.ZERO_HASH;
      headHash = Block.ZERO_HASH;
      nodes = new TreeMap<>();
      members = new TreeMap<>();
      proposals = new TreeMap<>();
      closed = new TreeMap<>();
      nonces = new TreeMap<>();
      usedInvites = new TreeSet<>();
    }

    GovernanceState build() {
      return new GovernanceState(params, genesisHash, height, headHash, time, nodes, members, proposals, closed, nonces,
          usedInvites);
    }
  }
}
