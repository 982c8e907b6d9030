package org.kinmesh.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.pbft.CommitCertificate;
import org.kinmesh.consensus.pbft.Envelope;
import org.kinmesh.consensus.pbft.EnvelopeCodec;
import org.kinmesh.consensus.pbft.EnvelopeSigner;
import org.kinmesh.consensus.pbft.Signer;
import org.kinmesh.crypto.Identity;

/**
 * A chain built by hand with real commit certificates: each block is applied by the real
 * {@link Ledger} and signed by the consensus keys that vote on it, as a PBFT round would.
 * One guardian (approval threshold 1), so a registration or a suspension commits in one block.
 */
public final class CertifiedChain {
  public static final long T0 = 1_767_225_000L;

  public final String chainId;
  public final Identity guardian;
  public final List<Identity> consensus;
  public final List<Block> blocks = new ArrayList<>();
  public GovernanceState state;
  public long time = T0;
  private final Map<String, Identity> keys = new HashMap<>();
  private final Map<String, Long> nonces = new HashMap<>();

  public CertifiedChain(String chainId, Identity guardian, List<Identity> consensus) {
    this.chainId = chainId;
    this.guardian = guardian;
    this.consensus = List.copyOf(consensus);
    List<GenesisSpec.ConsensusNode> ns = new ArrayList<>();
    for (int i = 0; i < consensus.size(); i++) {
      ns.add(new GenesisSpec.ConsensusNode(consensus.get(i).publicKeyHex(), i + 1));
      keys.put(consensus.get(i).publicKeyHex(), consensus.get(i));
    }
    try {
      Block g = Genesis.build(new GenesisSpec(new ChainParams(chainId, 1, 0, 30, 72, 86_400), T0,
          List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "guardian")), ns));
      state = Ledger.genesis(g).state();
      blocks.add(g);
    } catch (InvalidBlockException e) {
      throw new IllegalStateException(e);
    }
  }

  public Block genesis() {
    return blocks.get(0);
  }

  public Block head() {
    return blocks.get(blocks.size() - 1);
  }

  /** A guardian transaction at the chain's time with its next nonce. */
  public Transaction byGuardian(Payload p) {
    long n = nonces.merge(guardian.publicKeyHex(), 1L, Long::sum);
    return Transaction.sign(guardian, chainId, n, time, p);
  }

  public Transaction registerMember(Identity node, long nodeId) {
    return byGuardian(new Payload.NodeRegistration(node.publicKeyHex(), nodeId, false, time));
  }

  public Transaction suspend(Identity node, long ttlSecs) {
    return byGuardian(new Payload.NodeDeauthorization(node.publicKeyHex(), Payload.DeauthMode.SUSPEND, "lost laptop",
        ttlSecs));
  }

  /** The next block (time moved on by advanceSecs), applied and certified by every voter. */
  public Block commit(long advanceSecs, Transaction... txs) {
    Block b = next(advanceSecs, txs);
    List<Identity> voters = voters();
    Block certified = certify(b, voters, 0);
    try {
      state = Ledger.apply(state, certified).state();
    } catch (InvalidBlockException e) {
      throw new AssertionError("block rejected: " + e.getMessage(), e);
    }
    blocks.add(certified);
    return certified;
  }

  /** The next block, not applied and without a certificate (for forgeries). */
  public Block next(long advanceSecs, Transaction... txs) {
    time += advanceSecs;
    return Block.of(chainId, state.height() + 1, state.headHash(), time, voters().get(0).publicKeyHex(),
        List.of(), List.of(txs));
  }

  /** The block with a certificate signed by exactly {@code signers}. */
  public static Block certify(Block b, List<Identity> signers, long view) {
    List<Envelope.Commit> commits = new ArrayList<>();
    for (Identity id : signers) {
      commits.add(new EnvelopeSigner(b.blockchainId(), Signer.of(id)).commit(view, b.height(), b.hash()));
    }
    CommitCertificate cert = new CommitCertificate(b.blockchainId(), view, b.height(), b.hash(), commits);
    return b.withCommitCertificate(EnvelopeCodec.certificateJson(cert));
  }

  /** The active consensus keys that vote on the next block. */
  public List<Identity> voters() {
    return state.authorizedConsensusNodes().stream().map(NodeRecord::pubkey).map(keys::get).toList();
  }

  /** The strict quorum of the next block's voters. */
  public int threshold() {
    return QuorumPolicy.defaults().strictThreshold(voters().size());
  }
}
