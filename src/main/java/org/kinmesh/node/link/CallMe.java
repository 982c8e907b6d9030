package org.kinmesh.node.link;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * The links' one control message, sent over a path that already works (the relayed one, or
 * TCP): "I am punching toward you now, at these endpoints of mine; punch back" (Tailscale's
 * CallMeMaybe). Both sides then probe at once, which is what opens two cone NATs. It carries
 * only candidate endpoints; the probes themselves are signed, so a forged call-me can at worst
 * make us probe an address that never answers.
 *
 * <p>{@code {"kinmesh_link": "call_me", "endpoints": ["ip:port", ...]}} (at most 8, 1 KiB).
 * Payloads starting with {@code {"kinmesh_link":} are the links' own and never reach consensus.
 */
record CallMe(List<Endpoint> endpoints) {
  static final String PREFIX = "{\"kinmesh_link\":";
  static final int MAX_ENDPOINTS = 8;
  static final int MAX_BYTES = 1_024;

  static boolean isControl(String payload) {
    return payload.startsWith(PREFIX);
  }

  String encode() {
    JsonArray eps = new JsonArray();
    endpoints.stream().limit(MAX_ENDPOINTS).forEach(e -> eps.add(e.toString()));
    // kinmesh_link first: receivers recognise control payloads by that prefix.
    return PREFIX + "\"call_me\",\"endpoints\":" + eps.encode() + "}";
  }

  static CallMe parse(String payload) throws WireException {
    StrictJson j = StrictJson.parse(payload.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
    if (!"call_me".equals(j.requireString("kinmesh_link"))) {
      throw WireException.malformed("unknown link control message");
    }
    List<Endpoint> eps = new ArrayList<>();
    for (JsonNode n : j.requireArray("endpoints", MAX_ENDPOINTS)) {
      if (!n.isTextual()) {
        throw WireException.malformed("endpoints must be strings");
      }
      eps.add(Endpoint.parse(n.asText()));
    }
    return new CallMe(List.copyOf(eps));
  }
}
