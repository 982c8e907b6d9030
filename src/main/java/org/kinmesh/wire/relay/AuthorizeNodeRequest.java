package org.kinmesh.wire.relay;

import io.vertx.core.json.JsonObject;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/** POST /admin/authorize_node body (PROTOCOL.md §2.4). */
public record AuthorizeNodeRequest(String blockchainId, String publicKey, Action action, String adminPubkey,
    long timestamp, String adminSignature) implements SignedRequest {

  public enum Action {
    ADD("add"), REMOVE("remove");

    private final String wire;

    Action(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Action fromWire(String s) throws WireException {
      for (Action a : values()) {
        if (a.wire.equals(s)) {
          return a;
        }
      }
      throw WireException.malformed("field 'action' must be 'add' or 'remove'");
    }
  }

  public static AuthorizeNodeRequest parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    return new AuthorizeNodeRequest(r.blockchainId("blockchain_id"), r.publicKey("public_key"),
        Action.fromWire(r.string("action")), r.publicKey("admin_pubkey"), r.timestamp("timestamp"),
        r.signature("admin_signature"));
  }

  public static AuthorizeNodeRequest sign(Identity admin, String blockchainId, String publicKey, Action action,
      long timestamp) {
    byte[] m = Canonical.message(MessageTag.RELAY_AUTHORIZE_NODE, blockchainId, publicKey, action.wire(),
        admin.publicKeyHex(), timestamp);
    return new AuthorizeNodeRequest(blockchainId, publicKey, action, admin.publicKeyHex(), timestamp, admin.sign(m));
  }

  @Override
  public byte[] canonicalMessage() {
    return Canonical.message(MessageTag.RELAY_AUTHORIZE_NODE, blockchainId, publicKey, action.wire(), adminPubkey,
        timestamp);
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
    return new JsonObject().put("blockchain_id", blockchainId).put("public_key", publicKey).put("action", action.wire())
        .put("admin_pubkey", adminPubkey).put("timestamp", timestamp).put("admin_signature", adminSignature);
  }
}
