package org.kinmesh.relay.forward;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * A node's answer to the relay's connect challenge (docs/relay.md): it signs the nonce the
 * relay chose for this connection, so an answer recorded on one connection never opens another.
 *
 * <p>M = "kinmesh-relay-connect-v1" \n blockchain_id \n pubkey \n timestamp \n nonce
 */
public record ConnectAuth(String blockchainId, String pubkey, long timestamp, String nonce, String sig) {
  /** Bound on the auth frame, checked before it is parsed. */
  public static final int MAX_BYTES = 1_024;

  public static ConnectAuth sign(Identity id, String blockchainId, long timestamp, String nonce) {
    ConnectAuth unsigned = new ConnectAuth(blockchainId, id.publicKeyHex(), timestamp, nonce, "");
    return new ConnectAuth(blockchainId, id.publicKeyHex(), timestamp, nonce, id.sign(unsigned.canonical()));
  }

  public byte[] canonical() {
    return Canonical.message(MessageTag.RELAY_CONNECT, blockchainId, pubkey, timestamp, nonce);
  }

  public boolean signatureValid() {
    return Ed25519.verify(pubkey, sig, canonical());
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", "auth").put("blockchain_id", blockchainId).put("pubkey", pubkey)
        .put("timestamp", timestamp).put("nonce", nonce).put("sig", sig);
  }

  /** Parses an auth frame; every field's shape is checked before anything else looks at it. */
  public static ConnectAuth parse(String text) throws WireException {
    StrictJson j = StrictJson.parse(text.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
    if (!"auth".equals(j.requireString("type"))) {
      throw WireException.malformed("expected an auth frame");
    }
    String chain = j.requireString("blockchain_id");
    String pubkey = j.requireString("pubkey");
    long ts = j.requireLong("timestamp");
    String nonce = j.requireString("nonce");
    String sig = j.requireString("sig");
    if (!WireRules.isBlockchainId(chain)) {
      throw WireException.malformed("field 'blockchain_id' must be 1-64 characters of [A-Za-z0-9._-]");
    }
    if (!WireRules.isPublicKeyHex(pubkey)) {
      throw WireException.malformed("field 'pubkey' must be 64 lowercase hex characters");
    }
    if (!WireRules.isTimestamp(ts)) {
      throw WireException.malformed("field 'timestamp' must be Unix seconds from 0 to 2^53");
    }
    if (!Hex.isLowerHex(nonce, 32)) {
      throw WireException.malformed("field 'nonce' must be 64 lowercase hex characters");
    }
    if (!WireRules.isSignatureHex(sig)) {
      throw WireException.malformed("field 'sig' must be 128 lowercase hex characters");
    }
    return new ConnectAuth(chain, pubkey, ts, nonce, sig);
  }
}
