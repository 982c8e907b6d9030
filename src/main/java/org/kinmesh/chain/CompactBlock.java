package org.kinmesh.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * A block as consensus carries it: the header and the ordered transaction hashes, without the
 * transactions (docs/consensus.md, "Compact proposals"). The block hash covers only the header
 * and the transaction hashes, so a compact block has the same hash as the full block and a
 * signature over that hash binds both. Replicas fill in the transactions from their mempool (every
 * node forwards what it accepts to the others) and fetch the few they miss.
 *
 * <p>About 70 bytes a transaction instead of the whole transaction: a proposal of
 * {@link #MAX_TXS_IN_ENVELOPE} transactions stays well inside a 64 KiB envelope even base64-encoded
 * and carried again inside a view change.
 */
public record CompactBlock(String blockchainId, long height, String prevHash, long timestamp, String proposer,
    List<String> lastCommitSigners, List<String> txHashes, String hash) {
  /** What the Consensus host puts in one proposal (a NEW-VIEW re-proposal must fit 64 KiB too). */
  public static final int MAX_TXS_IN_ENVELOPE = 400;
  /** Bound on the JSON a compact block may occupy before it is parsed. */
  public static final int MAX_JSON_BYTES = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  public CompactBlock {
    check(WireRules.isBlockchainId(blockchainId), "field 'blockchain_id' must be 1-64 characters of [A-Za-z0-9._-]");
    check(height >= 1 && height <= WireRules.MAX_TIMESTAMP, "field 'height' must be 1 to 2^53 (genesis is never compact)");
    check(WireRules.isSha256Hex(prevHash), "field 'prev_hash' must be 64 lowercase hex characters");
    check(WireRules.isTimestamp(timestamp), "field 'timestamp' must be Unix seconds from 0 to 2^53");
    check(WireRules.isPublicKeyHex(proposer), "field 'proposer' must be 64 lowercase hex characters");
    lastCommitSigners = List.copyOf(lastCommitSigners);
    txHashes = List.copyOf(txHashes);
    check(txHashes.size() <= Block.MAX_TXS, "a block holds at most " + Block.MAX_TXS + " transactions");
    check(lastCommitSigners.size() <= Block.MAX_COMMIT_SIGNERS, "at most " + Block.MAX_COMMIT_SIGNERS + " commit signers");
    for (int i = 0; i < lastCommitSigners.size(); i++) {
      check(WireRules.isPublicKeyHex(lastCommitSigners.get(i)), "last_commit_signers holds a bad key");
      check(i == 0 || lastCommitSigners.get(i - 1).compareTo(lastCommitSigners.get(i)) < 0,
          "last_commit_signers must be sorted ascending without duplicates");
    }
    Set<String> seen = new HashSet<>();
    for (String h : txHashes) {
      check(WireRules.isSha256Hex(h), "tx_hashes holds something that is not a SHA-256 hex");
      check(seen.add(h), "tx_hashes names transaction " + h + " twice");
    }
    String computed = Block.computeHashOfTxHashes(blockchainId, height, prevHash, timestamp, proposer,
        lastCommitSigners, txHashes, null);
    if (hash == null) {
      hash = computed;
    } else {
      check(hash.equals(computed), "field 'hash' does not match the block's canonical bytes");
    }
  }

  /** The compact form of a (non-genesis) block. */
  public static CompactBlock of(Block b) {
    if (b.height() < 1) {
      throw new IllegalArgumentException("genesis is never sent as a compact block");
    }
    return new CompactBlock(b.blockchainId(), b.height(), b.prevHash(), b.timestamp(), b.proposer(),
        b.lastCommitSigners(), b.transactions().stream().map(Transaction::hash).toList(), b.hash());
  }

  /** The result of {@link #resolve}: the full block, or the hashes no source knew. */
  public record Resolved(Block block, List<String> missing) {
    public boolean complete() {
      return block != null;
    }
  }

  /**
   * The full block, with each transaction looked up by hash ({@code lookup} answers null when it
   * does not know one). A transaction found under a hash always has that hash (a {@link Transaction}
   * recomputes its hash from its content), so the full block hashes to {@link #hash()} again.
   */
  public Resolved resolve(Function<String, Transaction> lookup) {
    List<Transaction> txs = new ArrayList<>(txHashes.size());
    List<String> missing = new ArrayList<>();
    for (String h : txHashes) {
      Transaction tx = lookup.apply(h);
      if (tx == null || !tx.hash().equals(h)) {
        missing.add(h);
      } else {
        txs.add(tx);
      }
    }
    if (!missing.isEmpty()) {
      return new Resolved(null, List.copyOf(missing));
    }
    try {
      return new Resolved(new Block(blockchainId, height, prevHash, timestamp, proposer, lastCommitSigners, txs, null,
          hash, null), List.of());
    } catch (IllegalArgumentException e) {
      // e.g. over the DATA bytes a block may carry: the block is invalid, not incomplete
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public byte[] toJsonBytes() {
    ObjectNode o = JSON.createObjectNode();
    o.put("blockchain_id", blockchainId).put("height", height).put("prev_hash", prevHash).put("timestamp", timestamp)
        .put("proposer", proposer);
    ArrayNode signers = o.putArray("last_commit_signers");
    lastCommitSigners.forEach(signers::add);
    ArrayNode hashes = o.putArray("tx_hashes");
    txHashes.forEach(hashes::add);
    o.put("hash", hash);
    try {
      return JSON.writeValueAsBytes(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Strict parse: size first, then PROTOCOL.md §1 JSON rules, then every field; MALFORMED on any fault. */
  public static CompactBlock parse(byte[] utf8) throws WireException {
    StrictJson j = StrictJson.parse(utf8, MAX_JSON_BYTES);
    FieldReader r = new FieldReader(j);
    String chain = r.blockchainId("blockchain_id");
    long height = j.requireLong("height");
    String prev = r.sha256("prev_hash");
    long ts = r.timestamp("timestamp");
    String proposer = r.publicKey("proposer");
    List<String> signers = strings(j.requireArray("last_commit_signers", Block.MAX_COMMIT_SIGNERS), "last_commit_signers");
    List<String> hashes = strings(j.requireArray("tx_hashes", Block.MAX_TXS), "tx_hashes");
    String hash = r.sha256("hash");
    return Payload.build(() -> new CompactBlock(chain, height, prev, ts, proposer, signers, hashes, hash));
  }

  private static List<String> strings(List<JsonNode> nodes, String field) throws WireException {
    List<String> out = new ArrayList<>(nodes.size());
    for (JsonNode n : nodes) {
      if (!n.isTextual()) {
        throw WireException.malformed("field '" + field + "' must hold strings");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
