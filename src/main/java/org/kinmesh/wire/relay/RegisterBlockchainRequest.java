package org.kinmesh.wire.relay;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/** POST /admin/register_blockchain body (PROTOCOL.md §2.3). */
public record RegisterBlockchainRequest(String blockchainId, String genesisHash, String adminPubkey, long timestamp,
    String adminSignature, List<String> authorizedPubkeys) implements SignedRequest {
  /**
   * Bounded so one request cannot make the relay do unbounded work; 900 keys (67 bytes each in
   * JSON) keep the largest valid body under the 64 KiB limit.
   */
  public static final int MAX_AUTHORIZED_KEYS = 900;

  public RegisterBlockchainRequest {
    authorizedPubkeys = List.copyOf(authorizedPubkeys);
  }

  public static RegisterBlockchainRequest parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    String id = r.blockchainId("blockchain_id");
    String genesis = r.sha256("genesis_hash");
    String admin = r.publicKey("admin_pubkey");
    long ts = r.timestamp("timestamp");
    String sig = r.signature("admin_signature");
    List<String> keys = new ArrayList<>();
    if (json.has("authorized_pubkeys")) {
      JsonNode arr = json.get("authorized_pubkeys");
      if (!arr.isArray()) {
        throw WireException.malformed("field 'authorized_pubkeys' must be an array of hex keys");
      }
      if (arr.size() > MAX_AUTHORIZED_KEYS) {
        throw WireException.malformed("field 'authorized_pubkeys' holds more than " + MAX_AUTHORIZED_KEYS + " keys");
      }
      String previous = null;
      for (JsonNode k : arr) {
        if (!k.isTextual() || !WireRules.isPublicKeyHex(k.textValue())) {
          throw WireException.malformed("field 'authorized_pubkeys' must hold 64-character lowercase hex keys");
        }
        if (previous != null && previous.compareTo(k.textValue()) >= 0) {
          throw WireException.malformed("field 'authorized_pubkeys' must be sorted ascending without duplicates");
        }
        previous = k.textValue();
        keys.add(previous);
      }
    }
    return new RegisterBlockchainRequest(id, genesis, admin, ts, sig, keys);
  }

  public static RegisterBlockchainRequest sign(Identity admin, String blockchainId, String genesisHash, long timestamp,
      List<String> authorizedPubkeys) {
    List<String> sorted = authorizedPubkeys.stream().distinct().sorted().toList();
    byte[] m = canonical(blockchainId, genesisHash, admin.publicKeyHex(), timestamp, sorted);
    return new RegisterBlockchainRequest(blockchainId, genesisHash, admin.publicKeyHex(), timestamp, admin.sign(m), sorted);
  }

  private static byte[] canonical(String id, String genesis, String admin, long ts, List<String> keys) {
    return Canonical.message(MessageTag.RELAY_REGISTER_BLOCKCHAIN, id, genesis, admin, ts, String.join(",", keys));
  }

  @Override
  public byte[] canonicalMessage() {
    return canonical(blockchainId, genesisHash, adminPubkey, timestamp, authorizedPubkeys);
  }

  @Override
  public String signerKey() {
    return adminPubkey;
  }

  @Override
  public String signature() {
    return adminSignature;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("blockchain_id", blockchainId).put("genesis_hash", genesisHash)
        .put("admin_pubkey", adminPubkey).put("timestamp", timestamp).put("admin_signature", adminSignature);
    if (!authorizedPubkeys.isEmpty()) {
      o.put("authorized_pubkeys", new JsonArray(new ArrayList<Object>(authorizedPubkeys)));
    }
    return o;
  }
}
