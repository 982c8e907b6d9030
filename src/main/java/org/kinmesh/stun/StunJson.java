package org.kinmesh.stun;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.List;

/** The JSON view of a probe result for the CLI's report (the node's view is the typed StunView). */
public final class StunJson {
  private StunJson() {}

  /** {"public_ip","public_port","nat_type","mapping","filtering","server","elapsed_ms","servers":[...]}. */
  public static JsonObject report(ProbeResult r, List<ServerOutcome> unresolved) {
    JsonArray servers = new JsonArray();
    for (ServerOutcome o : unresolved) {
      servers.add(outcome(o));
    }
    for (ServerOutcome o : r.servers()) {
      servers.add(outcome(o));
    }
    InetSocketAddress e = r.publicEndpoint();
    return new JsonObject()
        .put("public_ip", e == null ? null : StunClient.ipText(e))
        .put("public_port", e == null ? null : e.getPort())
        .put("nat_type", r.natType().wire())
        .put("mapping", r.classification().mapping().wire())
        .put("filtering", r.classification().filtering().wire())
        .put("server", r.server())
        .put("elapsed_ms", r.elapsedMillis())
        .put("servers", servers);
  }

  private static JsonObject outcome(ServerOutcome o) {
    JsonObject j = new JsonObject().put("server", o.server())
        .put("address", o.address() == null ? null : StunClient.endpointText(o.address()));
    if (o.ok()) {
      j.put("mapped", StunClient.endpointText(o.mapped()))
          .put("other_address", o.otherAddress() == null ? null : StunClient.endpointText(o.otherAddress()))
          .put("rtt_ms", o.rttMillis());
    } else {
      j.put("error", o.error());
    }
    return j;
  }
}
