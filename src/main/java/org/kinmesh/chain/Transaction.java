package org.kinmesh.chain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * A signed transaction. M = TAG(type) \n blockchain_id \n sender \n nonce \n timestamp \n payload
 * fields; hash = hex SHA-256(M), the digest the sender signs, so the id never depends on the
 * signature bytes. The nonce is per sender and must grow, which rejects replays.
 */
public final class Transaction {
  /** Sender of the unsigned genesis transactions; valid only in block 0. */
  public static final String SYSTEM_SENDER = "0".repeat(64);
  public static final String SYSTEM_SIGNATURE = "0".repeat(128);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String blockchainId;
  private final String sender;
  private final long nonce;
  private final long timestamp;
  private final Payload payload;
  private final String signature;
  private final String hash;
  /** M, kept: every node hashes it once here and verifies the signature over it later. */
  private final byte[] canonical;
  /**
   * The JSON form, made at most once per instance (mempool accounting, forwarding, storing and
   * publishing each need it). A benign race: two threads may both build the same bytes.
   */
  private byte[] json;

  /**
   * Checks every field; {@code hash} may be null (computed) or must match the canonical bytes.
   * Immutable, so it is shared across threads and verticles as is.
   */
  public Transaction(String blockchainId, String sender, long nonce, long timestamp, Payload payload,
      String signature, String hash) {
    if (!WireRules.isBlockchainId(blockchainId)) {
      throw new IllegalArgumentException("field 'blockchain_id' must be 1-64 characters of [A-Za-z0-9._-]");
    }
    if (!WireRules.isPublicKeyHex(sender)) {
      throw new IllegalArgumentException("field 'sender' must be 64 lowercase hex characters");
    }
    if (nonce < 1 || nonce > WireRules.MAX_TIMESTAMP) {
      throw new IllegalArgumentException("field 'nonce' must be 1 to 2^53");
    }
    if (!WireRules.isTimestamp(timestamp)) {
      throw new IllegalArgumentException("field 'timestamp' must be Unix seconds from 0 to 2^53");
    }
    if (payload == null) {
      throw new IllegalArgumentException("payload is required");
    }
    if (!WireRules.isSignatureHex(signature)) {
      throw new IllegalArgumentException("field 'signature' must be 128 lowercase hex characters");
    }
    byte[] m = canonical(blockchainId, sender, nonce, timestamp, payload);
    String computed = Hex.encode(Ed25519.sha256(m));
    if (hash == null) {
      hash = computed;
    } else if (!hash.equals(computed)) {
      throw new IllegalArgumentException("field 'hash' does not match the transaction's canonical bytes");
    }
    this.blockchainId = blockchainId;
    this.sender = sender;
    this.nonce = nonce;
    this.timestamp = timestamp;
    this.payload = payload;
    this.signature = signature;
    this.hash = hash;
    this.canonical = m;
  }

  public String blockchainId() {
    return blockchainId;
  }

  public String sender() {
    return sender;
  }

  public long nonce() {
    return nonce;
  }

  public long timestamp() {
    return timestamp;
  }

  public Payload payload() {
    return payload;
  }

  public String signature() {
    return signature;
  }

  public String hash() {
    return hash;
  }

  public static Transaction sign(Identity sender, String blockchainId, long nonce, long timestamp, Payload payload) {
    byte[] m = canonical(blockchainId, sender.publicKeyHex(), nonce, timestamp, payload);
    return new Transaction(blockchainId, sender.publicKeyHex(), nonce, timestamp, payload, sender.sign(m), null);
  }

  /** An unsigned genesis transaction (docs/chain.md: trusted through the pinned genesis hash). */
  public static Transaction system(String blockchainId, long nonce, long timestamp, Payload payload) {
    return new Transaction(blockchainId, SYSTEM_SENDER, nonce, timestamp, payload, SYSTEM_SIGNATURE, null);
  }

  public TxType type() {
    return payload.type();
  }

  public boolean isSystem() {
    return SYSTEM_SENDER.equals(sender);
  }

  public byte[] canonicalMessage() {
    return canonical.clone();
  }

  public boolean signatureValid() {
    return !isSystem() && Ed25519.verify(sender, signature, canonical);
  }

  static byte[] canonical(String blockchainId, String sender, long nonce, long timestamp, Payload payload) {
    List<Object> fields = new ArrayList<>(4 + payload.canonicalFields().size());
    fields.add(blockchainId);
    fields.add(sender);
    fields.add(nonce);
    fields.add(timestamp);
    fields.addAll(payload.canonicalFields());
    return Canonical.message(payload.type().tag(), fields.toArray());
  }

  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("blockchain_id", blockchainId).put("type", type().wire()).put("sender", sender).put("nonce", nonce)
        .put("timestamp", timestamp);
    payload.writeJson(o.putObject("payload"));
    o.put("signature", signature).put("hash", hash);
    return o;
  }

  /** The JSON bytes (a copy: callers may not change the kept ones). */
  public byte[] toJsonBytes() {
    return jsonBytes().clone();
  }

  /** Length of {@link #toJsonBytes()} without copying. */
  public int jsonLength() {
    return jsonBytes().length;
  }

  /** The JSON as a string, built from the kept bytes. */
  public String toJsonString() {
    return new String(jsonBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private byte[] jsonBytes() {
    byte[] j = json;
    if (j == null) {
      try {
        j = JSON.writeValueAsBytes(toJson());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      json = j;
    }
    return j;
  }

  /** Parses a transaction's JSON; any broken rule is MALFORMED (the signature is checked by validation). */
  public static Transaction parse(byte[] utf8) throws WireException {
    return fromJson(StrictJson.parse(utf8));
  }

  public static Transaction fromJson(StrictJson j) throws WireException {
    FieldReader r = new FieldReader(j);
    String chain = r.blockchainId("blockchain_id");
    TxType type = TxType.fromWire(j.requireString("type"));
    String sender = r.publicKey("sender");
    long nonce = j.requireLong("nonce");
    long ts = r.timestamp("timestamp");
    Payload payload = Payload.parse(type, j.requireObject("payload"));
    String sig = r.signature("signature");
    String hash = j.has("hash") ? r.sha256("hash") : null;
    return Payload.build(() -> new Transaction(chain, sender, nonce, ts, payload, sig, hash));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transaction t && nonce == t.nonce && timestamp == t.timestamp
        && blockchainId.equals(t.blockchainId) && sender.equals(t.sender) && payload.equals(t.payload)
        && signature.equals(t.signature) && hash.equals(t.hash);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(blockchainId, sender, nonce, timestamp, payload, signature, hash);
  }

  @Override
  public String toString() {
    return "Transaction[blockchainId=" + blockchainId + ", sender=" + sender + ", nonce=" + nonce + ", timestamp="
        + timestamp + ", payload=" + payload + ", signature=" + signature + ", hash=" + hash + "]";
  }
}
