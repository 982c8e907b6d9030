package org.kinmesh.wire.gossip;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/**
 * A pull's answer (PROTOCOL.md §3.3). Unsigned itself: each announce inside carries its own
 * signature and is verified on its own, exactly as a pushed one.
 */
public record Delta(String blockchainId, String from, long watermark, List<Announce> announces, boolean more) {
  /**
   * More than a 1,200-byte datagram can hold (the smallest announce is over 250 bytes), so a
   * count over this is malformed before any announce is parsed.
   */
  public static final int MAX_ANNOUNCES = 8;

  public Delta {
    announces = List.copyOf(announces);
  }

  public static Delta parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    if (!"delta".equals(r.string("type"))) {
      throw WireException.malformed("type must be 'delta'");
    }
    String id = r.blockchainId("blockchain_id");
    String from = r.publicKey("from");
    long watermark = json.requireLong("watermark");
    if (watermark < 0) {
      throw WireException.malformed("field 'watermark' must not be negative");
    }
    List<JsonNode> items = json.requireArray("announces", MAX_ANNOUNCES);
    List<Announce> announces = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      announces.add(Announce.parse(StrictJson.element(item, "each of 'announces'")));
    }
    return new Delta(id, from, watermark, announces, json.requireBoolean("more"));
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    announces.forEach(a -> list.add(a.toJson()));
    return new JsonObject().put("type", "delta").put("blockchain_id", blockchainId).put("from", from)
        .put("watermark", watermark).put("announces", list).put("more", more);
  }
}
