package org.kinmesh.wire.gossip;

import io.vertx.core.json.JsonObject;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.relay.SignedRequest;

/** A signed pull request (PROTOCOL.md §3.2). */
public record Pull(String blockchainId, String from, long since, long ts, String sig) implements SignedRequest {

  public static Pull parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    if (!"pull".equals(r.string("type"))) {
      throw WireException.malformed("type must be 'pull'");
    }
    String id = r.blockchainId("blockchain_id");
    String from = r.publicKey("from");
    long since = json.requireLong("since");
    if (since < 0) {
      throw WireException.malformed("field 'since' must not be negative");
    }
    return new Pull(id, from, since, r.timestamp("ts"), r.signature("sig"));
  }

  public static Pull sign(Identity id, String blockchainId, long since, long ts) {
    byte[] m = Canonical.message(MessageTag.PULL, blockchainId, id.publicKeyHex(), since, ts);
    return new Pull(blockchainId, id.publicKeyHex(), since, ts, id.sign(m));
  }

  @Override
  public byte[] canonicalMessage() {
    return Canonical.message(MessageTag.PULL, blockchainId, from, since, ts);
  }

  @Override
  public String signerKey() {
    return from;
  }

  @Override
  public long timestamp() {
    return ts;
  }

  @Override
  public String signature() {
    return sig;
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", "pull").put("blockchain_id", blockchainId).put("from", from)
        .put("since", since).put("ts", ts).put("sig", sig);
  }
}
