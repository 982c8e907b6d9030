package org.kinmesh.gossip;

import io.vertx.core.json.JsonObject;
import org.kinmesh.wire.gossip.Endpoint;

/** A read-only copy of one table endpoint, best first in every list. */
public record EndpointView(Endpoint endpoint, long lastSeenMs, Reachability reachable, int sources, double score,
    double rank, int failures) {

  public JsonObject toJson() {
    return new JsonObject().put("endpoint", endpoint.toString()).put("ip", endpoint.ip()).put("port", endpoint.port())
        .put("last_seen", lastSeenMs / 1000).put("reachable", reachable.text()).put("source", Source.format(sources))
        .put("score", Math.round(score * 10) / 10.0).put("rank", Math.round(rank * 10) / 10.0)
        .put("failures", failures);
  }
}
