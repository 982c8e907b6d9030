package org.kinmesh.gossip;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.kinmesh.wire.gossip.NatType;

/** A read-only copy of one peer of the table, its endpoints best first. */
public record PeerView(String pubkey, NatType nat, long ver, long lastUpdateMs, List<EndpointView> endpoints) {
  public PeerView {
    endpoints = List.copyOf(endpoints);
  }

  public JsonObject toJson() {
    JsonArray eps = new JsonArray();
    endpoints.forEach(e -> eps.add(e.toJson()));
    return new JsonObject().put("pubkey", pubkey).put("nat", nat.wire()).put("ver", ver)
        .put("last_update", lastUpdateMs / 1000).put("endpoints", eps);
  }
}
