package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds block 0 from a spec, deterministically: guardians sorted by key (one FAMILY_MEMBER_ADD
 * each), then consensus nodes by node_id (one NODE_REGISTRATION each), all as unsigned system
 * transactions numbered from 1, dated at the genesis timestamp. Its hash is what nodes and
 * relays pin out of band, which is what makes the unsigned transactions trustworthy.
 */
public final class Genesis {
  private Genesis() {}

  public static Block build(GenesisSpec spec) throws InvalidBlockException {
    String chain = spec.params().blockchainId();
    long ts = spec.genesisTimestamp();
    List<Transaction> txs = new ArrayList<>();
    for (GenesisSpec.Guardian g : spec.guardians().stream()
        .sorted(Comparator.comparing(GenesisSpec.Guardian::pubkey)).toList()) {
      txs.add(Transaction.system(chain, txs.size() + 1, ts,
          new Payload.FamilyMemberAdd(g.pubkey(), g.displayName(), Role.GUARDIAN)));
    }
    for (GenesisSpec.ConsensusNode n : spec.consensusNodes().stream()
        .sorted(Comparator.comparingLong(GenesisSpec.ConsensusNode::nodeId)).toList()) {
      txs.add(Transaction.system(chain, txs.size() + 1, ts,
          new Payload.NodeRegistration(n.pubkey(), n.nodeId(), true, ts)));
    }
    Block b = new Block(chain, 0, Block.ZERO_HASH, ts, Transaction.SYSTEM_SENDER, List.of(), txs, spec.params(),
        null, null);
    Ledger.genesis(b); // refuses a genesis the state machine would not accept
    return b;
  }
}
