package org.kinmesh.wire.relay;

import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import io.vertx.core.json.JsonObject;

/** POST /register body (PROTOCOL.md §2.1). */
public record RegisterRequest(String blockchainId, String publicKey, String ip, int port, long timestamp,
    String signature) implements SignedRequest {

  public static RegisterRequest parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    return new RegisterRequest(r.blockchainId("blockchain_id"), r.publicKey("public_key"), r.ip("ip"),
        r.port("port"), r.timestamp("timestamp"), r.signature("signature"));
  }

  public static RegisterRequest sign(Identity id, String blockchainId, String ip, int port, long timestamp) {
    byte[] m = canonical(blockchainId, id.publicKeyHex(), ip, port, timestamp);
    return new RegisterRequest(blockchainId, id.publicKeyHex(), ip, port, timestamp, id.sign(m));
  }

  static byte[] canonical(String blockchainId, String publicKey, String ip, int port, long timestamp) {
    return Canonical.message(MessageTag.RELAY_REGISTER, blockchainId, publicKey, ip, port, timestamp);
  }

  @Override
  public byte[] canonicalMessage() {
    return canonical(blockchainId, publicKey, ip, port, timestamp);
  }

  @Override
  public String signerKey() {
    return publicKey;
  }

  public JsonObject toJson() {
    return new JsonObject().put("blockchain_id", blockchainId).put("public_key", publicKey).put("ip", ip)
        .put("port", port).put("timestamp", timestamp).put("signature", signature);
  }
}
