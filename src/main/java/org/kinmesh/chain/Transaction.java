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
public record Transaction(String blockchainId, String sender, long nonce, long timestamp, Payload payload,
    String signature, String hash) {
  /** Sender of the unsigned genesis transactions; valid only in block 0. */
  public static final String SYSTEM_SENDER = "0".repeat(64);
  public static final String SYSTEM_SIGNATURE = "0".repeat(128);
  private static final ObjectMapper JSON = new ObjectMapper();

  public Transaction {
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
    String computed = Hex.encode(Ed25519.sha256(canonical(blockchainId, sender, nonce, timestamp, payload)));
    if (hash == null) {
      hash = computed;
    } else if (!hash.equals(computed)) {
      throw new IllegalArgumentException("field 'hash' does not match the transaction's canonical bytes");
    }
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
    return canonical(blockchainId, sender, nonce, timestamp, payload);
  }

  public boolean signatureValid() {
    return !isSystem() && Ed25519.verify(sender, signature, canonicalMessage());
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

  public byte[] toJsonBytes() {
    try {
      return JSON.writeValueAsBytes(toJson());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
}
