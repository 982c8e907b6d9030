package org.kinmesh.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.FollowedBlock;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.pbft.CommitCertificate;
import org.kinmesh.consensus.pbft.EnvelopeCodec;
import org.kinmesh.consensus.pbft.EnvelopeException;
import org.kinmesh.consensus.pbft.Membership;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/**
 * How the relay follows a chain's governance (docs/relay.md, "Following the chain"). Pure: block 0
 * must hash to the genesis_hash the chain was registered with; every later block must be the next
 * height on the head the relay holds and carry a commit certificate that a quorum of the consensus
 * keys the relay already trusts signed; it is then applied with the node's own state machine
 * ({@link Ledger}). The relay replays every block, not only the ones that change the set, because
 * the set also moves with block time (a suspension expires, a time-lock lapses, inactivity) and
 * with approvals counted against earlier proposals: only the whole chain decides it.
 */
public final class ChainFollow {
  /** Blocks one request may carry: a relay that missed many is brought up in several calls. */
  public static final int MAX_BLOCKS_PER_REQUEST = 64;
  /** One follow body: the largest block the chain allows, plus room for the envelope. */
  public static final int MAX_BODY_BYTES = Block.MAX_BLOCK_JSON_BYTES + 65_536;
  /**
   * The strict threshold with no min_viable_nodes: the smallest any node's configuration asks for
   * a normal block (min_viable_nodes only raises it). The relay never takes the emergency majority.
   */
  private static final QuorumPolicy POLICY = QuorumPolicy.defaults();

  private ChainFollow() {}

  /** The state after block 0, which must be the genesis the chain was registered with. */
  public static GovernanceState start(String blockchainId, String genesisHash, Block genesis) throws WireException {
    return start(blockchainId, genesisHash, FollowedBlock.of(genesis));
  }

  /** As {@link #start(String, String, Block)} for the form the relay receives and stores. */
  public static GovernanceState start(String blockchainId, String genesisHash, FollowedBlock genesis)
      throws WireException {
    requireChain(blockchainId, genesis);
    if (genesis.height() != 0) {
      throw new WireException(ErrorCode.CONFLICT, "the relay does not follow blockchain '" + blockchainId
          + "' yet: send its genesis (height 0) first, got height " + genesis.height());
    }
    if (!genesis.hash().equals(genesisHash)) {
      throw new WireException(ErrorCode.CONFLICT, "genesis hash " + genesis.hash() + " is not the genesis_hash "
          + genesisHash + " blockchain '" + blockchainId + "' was registered with");
    }
    try {
      return Ledger.genesis(genesis.genesisBlock()).state();
    } catch (InvalidBlockException e) {
      throw WireException.malformed("genesis does not apply: " + e.getMessage());
    }
  }

  /** The state after {@code b}, once its certificate shows a quorum of {@code s}'s voters committed it. */
  public static GovernanceState next(GovernanceState s, Block b) throws WireException {
    return next(s, FollowedBlock.of(b));
  }

  /** As {@link #next(GovernanceState, Block)}; the block's DATA transactions are hashes only. */
  public static GovernanceState next(GovernanceState s, FollowedBlock b) throws WireException {
    String chain = s.params().blockchainId();
    requireChain(chain, b);
    if (b.height() != s.height() + 1) {
      throw new WireException(ErrorCode.CONFLICT, "out of order: the relay follows blockchain '" + chain
          + "' at height " + s.height() + "; send block " + (s.height() + 1) + " next, got " + b.height());
    }
    if (!b.prevHash().equals(s.headHash())) {
      throw new WireException(ErrorCode.CONFLICT, "block " + b.height() + " does not follow the relay's head "
          + s.headHash() + " (prev_hash " + b.prevHash() + ")");
    }
    if (b.commitCertificate() == null) {
      throw WireException.malformed("block " + b.height() + " has no commit_certificate");
    }
    CommitCertificate cert;
    try {
      cert = new EnvelopeCodec(chain).decodeCertificate(b.commitCertificate());
    } catch (EnvelopeException e) {
      throw new WireException(ErrorCode.INVALID_SIGNATURE, "commit certificate of block " + b.height()
          + " refused: " + e.getMessage());
    }
    if (!cert.blockchainId().equals(chain) || cert.height() != b.height() || !cert.digest().equals(b.hash())) {
      throw new WireException(ErrorCode.CONFLICT, "the commit certificate is for " + cert.blockchainId() + " height "
          + cert.height() + " block " + cert.digest() + ", not for this block");
    }
    Membership voters = voters(s);
    if (!cert.hasQuorum(voters.keys(), voters.threshold())) {
      long counted = cert.signers().stream().filter(voters::contains).count();
      throw new WireException(ErrorCode.UNAUTHORIZED, "commit certificate of block " + b.height() + " holds "
          + counted + " signatures of the chain's consensus keys; it needs " + voters.threshold() + " of "
          + voters.size());
    }
    try {
      return Ledger.applyFollowed(s, b, org.kinmesh.chain.SignatureCheck.ALWAYS).state();
    } catch (InvalidBlockException e) {
      throw new WireException(ErrorCode.CONFLICT, "certified block " + b.height() + " does not apply to the"
          + " relay's state: " + e.getMessage());
    }
  }

  /** The consensus keys that vote on the block after {@code s}, and their commit threshold. */
  static Membership voters(GovernanceState s) {
    return Membership.of(s.authorizedConsensusNodes().stream().map(NodeRecord::pubkey).toList(), POLICY);
  }

  /** Every key the chain has registered, and whether it is active (the chain's answer for it). */
  public static Map<String, Boolean> keys(GovernanceState s) {
    Map<String, Boolean> out = new TreeMap<>();
    for (NodeRecord n : s.nodes().values()) {
      out.put(n.pubkey(), n.active());
    }
    return out;
  }

  /**
   * The body of POST /follow/{id}: {"blocks": [block, ...]}, in height order, each with its DATA
   * transactions as {"hash"} alone (a DATA transaction sent in full is reduced at once).
   */
  public static List<FollowedBlock> parseBody(byte[] body) throws WireException {
    StrictJson j = StrictJson.parse(body, MAX_BODY_BYTES);
    var fields = j.node().fieldNames();
    while (fields.hasNext()) {
      String f = fields.next();
      if (!f.equals("blocks")) {
        throw WireException.malformed("unknown field '" + f + "'; the body is {\"blocks\": [...]}");
      }
    }
    List<FollowedBlock> blocks = new ArrayList<>();
    var items = j.requireArray("blocks", MAX_BLOCKS_PER_REQUEST);
    if (items.isEmpty()) {
      throw WireException.malformed("field 'blocks' is empty: send 1 to " + MAX_BLOCKS_PER_REQUEST + " blocks");
    }
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).isObject()) {
        throw WireException.malformed("blocks[" + i + "] must be a block object");
      }
      try {
        blocks.add(FollowedBlock.parse(items.get(i).toString().getBytes(StandardCharsets.UTF_8)));
      } catch (WireException e) {
        throw WireException.malformed("blocks[" + i + "]: " + e.getMessage());
      }
    }
    return blocks;
  }

  private static void requireChain(String blockchainId, FollowedBlock b) throws WireException {
    if (!b.blockchainId().equals(blockchainId)) {
      throw new WireException(ErrorCode.CONFLICT, "block " + b.height() + " is for blockchain '" + b.blockchainId()
          + "', not '" + blockchainId + "'");
    }
  }
}
