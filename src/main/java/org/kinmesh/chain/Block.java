package org.kinmesh.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * A block. Its hash covers the header, the ordered transaction hashes, the sorted signers of the
 * previous block's commit (so inactivity is judged from hashed, agreed data) and, at height 0 only,
 * the chain parameters. The commit certificate for this block is attached after the fact and is
 * deliberately outside the hash; the ledger stores it but never reads it for state.
 */
public record Block(String blockchainId, long height, String prevHash, long timestamp, String proposer,
    List<String> lastCommitSigners, List<Transaction> transactions, ChainParams params, String hash,
    String commitCertificate) {
  public static final int MAX_TXS = 1_000;
  public static final int MAX_COMMIT_SIGNERS = 100;
  public static final int MAX_DATA_BYTES_PER_BLOCK = 1 << 20;
  public static final int MAX_CERTIFICATE_CHARS = 65_536;
  public static final int MAX_BLOCK_JSON_BYTES = 8 << 20;
  public static final String ZERO_HASH = "0".repeat(64);
  private static final ObjectMapper JSON = new ObjectMapper();

  public Block {
    check(WireRules.isBlockchainId(blockchainId), "field 'blockchain_id' must be 1-64 characters of [A-Za-z0-9._-]");
    check(height >= 0 && height <= WireRules.MAX_TIMESTAMP, "field 'height' out of range");
    check(WireRules.isSha256Hex(prevHash), "field 'prev_hash' must be 64 lowercase hex characters");
    check(WireRules.isTimestamp(timestamp), "field 'timestamp' must be Unix seconds from 0 to 2^53");
    check(WireRules.isPublicKeyHex(proposer), "field 'proposer' must be 64 lowercase hex characters");
    lastCommitSigners = List.copyOf(lastCommitSigners);
    transactions = List.copyOf(transactions);
    check(transactions.size() <= MAX_TXS, "a block holds at most " + MAX_TXS + " transactions");
    check(lastCommitSigners.size() <= MAX_COMMIT_SIGNERS, "at most " + MAX_COMMIT_SIGNERS + " commit signers");
    for (int i = 0; i < lastCommitSigners.size(); i++) {
      check(WireRules.isPublicKeyHex(lastCommitSigners.get(i)), "last_commit_signers holds a bad key");
      check(i == 0 || lastCommitSigners.get(i - 1).compareTo(lastCommitSigners.get(i)) < 0,
          "last_commit_signers must be sorted ascending without duplicates");
    }
    long dataBytes = 0;
    for (Transaction tx : transactions) {
      check(tx.blockchainId().equals(blockchainId), "transaction " + tx.hash() + " is for another blockchain");
      if (tx.payload() instanceof Payload.Data d) {
        dataBytes += d.payloadHex().length() / 2;
      }
    }
    check(dataBytes <= MAX_DATA_BYTES_PER_BLOCK, "a block carries at most " + MAX_DATA_BYTES_PER_BLOCK + " DATA bytes");
    check((height == 0) == (params != null), "params appear in the genesis block and only there");
    check(params == null || params.blockchainId().equals(blockchainId), "params are for another blockchain");
    check(commitCertificate == null || commitCertificate.length() <= MAX_CERTIFICATE_CHARS,
        "commit_certificate over " + MAX_CERTIFICATE_CHARS + " characters");
    String computed = computeHash(blockchainId, height, prevHash, timestamp, proposer, lastCommitSigners,
        transactions, params);
    if (hash == null) {
      hash = computed;
    } else {
      check(hash.equals(computed), "field 'hash' does not match the block's canonical bytes");
    }
  }

  /** A new block; the hash is computed, no certificate yet. */
  public static Block of(String blockchainId, long height, String prevHash, long timestamp, String proposer,
      List<String> lastCommitSigners, List<Transaction> txs) {
    return new Block(blockchainId, height, prevHash, timestamp, proposer, lastCommitSigners, txs, null, null, null);
  }

  /** The same block with a commit certificate attached (the hash does not change). */
  public Block withCommitCertificate(String certificateJson) {
    return new Block(blockchainId, height, prevHash, timestamp, proposer, lastCommitSigners, transactions, params,
        hash, certificateJson);
  }

  static String computeHash(String blockchainId, long height, String prevHash, long timestamp, String proposer,
      List<String> signers, List<Transaction> txs, ChainParams params) {
    List<String> txHashes = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      txHashes.add(tx.hash());
    }
    return computeHashOfTxHashes(blockchainId, height, prevHash, timestamp, proposer, signers, txHashes, params);
  }

  /** The block hash needs only the transaction hashes: {@link CompactBlock} relies on that. */
  static String computeHashOfTxHashes(String blockchainId, long height, String prevHash, long timestamp,
      String proposer, List<String> signers, List<String> txHashes, ChainParams params) {
    String txRoot = Hex.encode(Ed25519.sha256(Canonical.message(MessageTag.BLOCK_TXS, txHashes.toArray())));
    byte[] m = Canonical.message(MessageTag.BLOCK, blockchainId, height, prevHash, timestamp, proposer,
        String.join(",", signers), txHashes.size(), txRoot, params == null ? "" : params.hash());
    return Hex.encode(Ed25519.sha256(m));
  }

  public ObjectNode toJson() {
    return toJson(false);
  }

  /**
   * With {@code rawTransactions}, each transaction goes in as the JSON bytes it already keeps (for
   * serializing only: such a tree cannot be walked into its transactions).
   */
  private ObjectNode toJson(boolean rawTransactions) {
    ObjectNode o = JSON.createObjectNode();
    o.put("blockchain_id", blockchainId).put("height", height).put("prev_hash", prevHash).put("timestamp", timestamp)
        .put("proposer", proposer);
    ArrayNode signers = o.putArray("last_commit_signers");
    lastCommitSigners.forEach(signers::add);
    if (params != null) {
      params.writeJson(o.putObject("params"));
    }
    ArrayNode txs = o.putArray("transactions");
    if (rawTransactions) {
      transactions.forEach(tx -> txs.addRawValue(new com.fasterxml.jackson.databind.util.RawValue(tx.toJsonString())));
    } else {
      transactions.forEach(tx -> txs.add(tx.toJson()));
    }
    o.put("hash", hash);
    if (commitCertificate != null) {
      try {
        o.set("commit_certificate", JSON.readTree(commitCertificate));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        o.put("commit_certificate", commitCertificate);
      }
    }
    return o;
  }

  public byte[] toJsonBytes() {
    try {
      return JSON.writeValueAsBytes(toJson(true));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Block parse(byte[] utf8) throws WireException {
    StrictJson j = StrictJson.parse(utf8, MAX_BLOCK_JSON_BYTES);
    FieldReader r = new FieldReader(j);
    String chain = r.blockchainId("blockchain_id");
    long height = j.requireLong("height");
    String prev = r.sha256("prev_hash");
    long ts = r.timestamp("timestamp");
    String proposer = r.publicKey("proposer");
    List<String> signers = new ArrayList<>();
    for (JsonNode n : j.requireArray("last_commit_signers", MAX_COMMIT_SIGNERS)) {
      if (!n.isTextual()) {
        throw WireException.malformed("field 'last_commit_signers' must hold strings");
      }
      signers.add(n.textValue());
    }
    ChainParams params = j.has("params") ? ChainParams.fromJson(j.requireObject("params")) : null;
    List<Transaction> txs = new ArrayList<>();
    int i = 0;
    for (JsonNode n : j.requireArray("transactions", MAX_TXS)) {
      try {
        txs.add(Transaction.fromJson(StrictJson.element(n, "a transaction")));
      } catch (WireException e) {
        throw WireException.malformed("transaction " + i + ": " + e.getMessage());
      }
      i++;
    }
    String hash = r.sha256("hash");
    JsonNode cert = j.get("commit_certificate");
    String certText = cert == null || cert.isNull() ? null : cert.toString();
    return Payload.build(() -> new Block(chain, height, prev, ts, proposer, signers, txs, params, hash, certText));
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
