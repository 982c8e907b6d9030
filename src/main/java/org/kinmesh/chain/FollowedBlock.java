package org.kinmesh.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * A committed block as the relay follows it (docs/relay.md, "What the relay never holds"): the
 * header, every transaction's hash in order, and in full only the transactions that are not DATA.
 * The block hash covers only the transaction hashes ({@link CompactBlock} relies on the same), so
 * the relay still checks the hash and the commit certificate, while a family's DATA payloads never
 * leave its nodes. DATA changes nothing but its sender's nonce, which the governance replay does not
 * need ({@link Ledger#applyFollowed}).
 */
public record FollowedBlock(String blockchainId, long height, String prevHash, long timestamp, String proposer,
    List<String> lastCommitSigners, List<String> txHashes, List<Transaction> governance, ChainParams params,
    String hash, String commitCertificate) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public FollowedBlock {
    check(WireRules.isBlockchainId(blockchainId), "field 'blockchain_id' must be 1-64 characters of [A-Za-z0-9._-]");
    check(height >= 0 && height <= WireRules.MAX_TIMESTAMP, "field 'height' out of range");
    check(WireRules.isSha256Hex(prevHash), "field 'prev_hash' must be 64 lowercase hex characters");
    check(WireRules.isTimestamp(timestamp), "field 'timestamp' must be Unix seconds from 0 to 2^53");
    check(WireRules.isPublicKeyHex(proposer), "field 'proposer' must be 64 lowercase hex characters");
    lastCommitSigners = List.copyOf(lastCommitSigners);
    txHashes = List.copyOf(txHashes);
    governance = List.copyOf(governance);
    check(txHashes.size() <= Block.MAX_TXS, "a block holds at most " + Block.MAX_TXS + " transactions");
    check(lastCommitSigners.size() <= Block.MAX_COMMIT_SIGNERS, "at most " + Block.MAX_COMMIT_SIGNERS + " commit signers");
    for (int i = 0; i < lastCommitSigners.size(); i++) {
      check(WireRules.isPublicKeyHex(lastCommitSigners.get(i)), "last_commit_signers holds a bad key");
      check(i == 0 || lastCommitSigners.get(i - 1).compareTo(lastCommitSigners.get(i)) < 0,
          "last_commit_signers must be sorted ascending without duplicates");
    }
    Set<String> seen = new HashSet<>();
    for (String h : txHashes) {
      check(WireRules.isSha256Hex(h), "a transaction hash is not 64 lowercase hex characters");
      check(seen.add(h), "transaction " + h + " appears twice");
    }
    // The full transactions must be exactly the non-DATA ones, in block order.
    int at = 0;
    for (Transaction tx : governance) {
      check(tx.type() != TxType.DATA, "a followed block carries DATA transactions as their hash only");
      check(tx.blockchainId().equals(blockchainId), "transaction " + tx.hash() + " is for another blockchain");
      while (at < txHashes.size() && !txHashes.get(at).equals(tx.hash())) {
        at++;
      }
      check(at < txHashes.size(), "transaction " + tx.hash() + " is not in the block's order");
      at++;
    }
    check((height == 0) == (params != null), "params appear in the genesis block and only there");
    check(params == null || params.blockchainId().equals(blockchainId), "params are for another blockchain");
    check(height > 0 || governance.size() == txHashes.size(), "the genesis block holds no DATA: send it in full");
    check(commitCertificate == null || commitCertificate.length() <= Block.MAX_CERTIFICATE_CHARS,
        "commit_certificate over " + Block.MAX_CERTIFICATE_CHARS + " characters");
    String computed = Block.computeHashOfTxHashes(blockchainId, height, prevHash, timestamp, proposer,
        lastCommitSigners, txHashes, params);
    if (hash == null) {
      hash = computed;
    } else {
      check(hash.equals(computed), "field 'hash' does not match the block's canonical bytes");
    }
  }

  /** The block with each DATA transaction reduced to its hash. */
  public static FollowedBlock of(Block b) {
    return new FollowedBlock(b.blockchainId(), b.height(), b.prevHash(), b.timestamp(), b.proposer(),
        b.lastCommitSigners(), b.transactions().stream().map(Transaction::hash).toList(),
        b.transactions().stream().filter(tx -> tx.type() != TxType.DATA).toList(), b.params(), b.hash(),
        b.commitCertificate());
  }

  /** The full block; only the genesis, which never holds DATA, can be rebuilt. */
  public Block genesisBlock() {
    check(height == 0, "only the genesis block is rebuilt in full");
    return new Block(blockchainId, height, prevHash, timestamp, proposer, lastCommitSigners, governance, params, hash,
        commitCertificate);
  }

  /** Like the block JSON a node serves, with each DATA transaction written as {"hash": ...} alone. */
  public byte[] toJsonBytes() {
    ObjectNode o = JSON.createObjectNode();
    o.put("blockchain_id", blockchainId).put("height", height).put("prev_hash", prevHash).put("timestamp", timestamp)
        .put("proposer", proposer);
    ArrayNode signers = o.putArray("last_commit_signers");
    lastCommitSigners.forEach(signers::add);
    if (params != null) {
      params.writeJson(o.putObject("params"));
    }
    ArrayNode txs = o.putArray("transactions");
    int g = 0;
    for (String h : txHashes) {
      if (g < governance.size() && governance.get(g).hash().equals(h)) {
        txs.add(governance.get(g++).toJson());
      } else {
        txs.addObject().put("hash", h);
      }
    }
    o.put("hash", hash);
    if (commitCertificate != null) {
      try {
        o.set("commit_certificate", JSON.readTree(commitCertificate));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        o.put("commit_certificate", commitCertificate);
      }
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Strict parse. A transaction is either a full transaction or {"hash"} alone; a DATA transaction
   * sent in full (a node from before this form) is reduced to its hash here, so nothing past the
   * parser ever holds its payload.
   */
  public static FollowedBlock parse(byte[] utf8) throws WireException {
    StrictJson j = StrictJson.parse(utf8, Block.MAX_BLOCK_JSON_BYTES);
    FieldReader r = new FieldReader(j);
    String chain = r.blockchainId("blockchain_id");
    long height = j.requireLong("height");
    String prev = r.sha256("prev_hash");
    long ts = r.timestamp("timestamp");
    String proposer = r.publicKey("proposer");
    List<String> signers = new ArrayList<>();
    for (JsonNode n : j.requireArray("last_commit_signers", Block.MAX_COMMIT_SIGNERS)) {
      if (!n.isTextual()) {
        throw WireException.malformed("field 'last_commit_signers' must hold strings");
      }
      signers.add(n.textValue());
    }
    ChainParams params = j.has("params") ? ChainParams.fromJson(j.requireObject("params")) : null;
    List<String> hashes = new ArrayList<>();
    List<Transaction> governance = new ArrayList<>();
    int i = 0;
    for (JsonNode n : j.requireArray("transactions", Block.MAX_TXS)) {
      if (n.isObject() && n.size() == 1 && n.has("hash")) {
        JsonNode h = n.get("hash");
        if (!h.isTextual() || !WireRules.isSha256Hex(h.textValue())) {
          throw WireException.malformed("transaction " + i + ": field 'hash' must be 64 lowercase hex characters");
        }
        hashes.add(h.textValue());
      } else {
        Transaction tx;
        try {
          tx = Transaction.fromJson(StrictJson.element(n, "a transaction"));
        } catch (WireException e) {
          // Never echo the entry: it may be a DATA payload.
          throw WireException.malformed("transaction " + i + " is neither a transaction nor {\"hash\"}: "
              + e.getMessage());
        }
        hashes.add(tx.hash());
        if (tx.type() != TxType.DATA) {
          governance.add(tx);
        }
      }
      i++;
    }
    String hash = r.sha256("hash");
    JsonNode cert = j.get("commit_certificate");
    String certText = cert == null || cert.isNull() ? null : cert.toString();
    return Payload.build(() -> new FollowedBlock(chain, height, prev, ts, proposer, signers, hashes, governance, params,
        hash, certText));
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
