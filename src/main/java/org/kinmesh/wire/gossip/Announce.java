package org.kinmesh.wire.gossip;

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
import org.kinmesh.wire.relay.SignedRequest;

/** A signed endpoint announcement (PROTOCOL.md §3.1). */
public record Announce(String blockchainId, String pubkey, List<Endpoint> endpoints, NatType nat, long ts, long ver,
    String sig) implements SignedRequest {
  public static final int MAX_ENDPOINTS = 6;

  public Announce {
    endpoints = List.copyOf(endpoints);
  }

  public static Announce parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    if (!"announce".equals(r.string("type"))) {
      throw WireException.malformed("type must be 'announce'");
    }
    String id = r.blockchainId("blockchain_id");
    String key = r.publicKey("pubkey");
    JsonNode arr = json.get("endpoints");
    if (arr == null || !arr.isArray() || arr.size() < 1 || arr.size() > MAX_ENDPOINTS) {
      throw WireException.malformed("field 'endpoints' must be an array of 1 to " + MAX_ENDPOINTS + " endpoints");
    }
    List<Endpoint> endpoints = new ArrayList<>(arr.size());
    for (JsonNode e : arr) {
      if (!e.isTextual()) {
        throw WireException.malformed("endpoints must be strings");
      }
      endpoints.add(Endpoint.parse(e.textValue()));
    }
    NatType nat = NatType.fromWire(r.string("nat"));
    long ts = r.timestamp("ts");
    long ver = json.requireLong("ver");
    if (ver < 0) {
      throw WireException.malformed("field 'ver' must not be negative");
    }
    return new Announce(id, key, endpoints, nat, ts, ver, r.signature("sig"));
  }

  public static Announce sign(Identity id, String blockchainId, List<Endpoint> endpoints, NatType nat, long ts,
      long ver) {
    byte[] m = canonical(blockchainId, id.publicKeyHex(), endpoints, nat, ts, ver);
    return new Announce(blockchainId, id.publicKeyHex(), endpoints, nat, ts, ver, id.sign(m));
  }

  private static byte[] canonical(String id, String key, List<Endpoint> endpoints, NatType nat, long ts, long ver) {
    List<String> texts = endpoints.stream().map(Endpoint::toString).toList();
    return Canonical.message(MessageTag.ANNOUNCE, id, key, String.join(",", texts), nat.wire(), ts, ver);
  }

  @Override
  public byte[] canonicalMessage() {
    return canonical(blockchainId, pubkey, endpoints, nat, ts, ver);
  }

  @Override
  public String signerKey() {
    return pubkey;
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
    JsonArray eps = new JsonArray();
    endpoints.forEach(e -> eps.add(e.toString()));
    return new JsonObject().put("type", "announce").put("blockchain_id", blockchainId).put("pubkey", pubkey)
        .put("endpoints", eps).put("nat", nat.wire()).put("ts", ts).put("ver", ver).put("sig", sig);
  }
}
