package org.kinmesh.stun;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * The latest STUN view as another verticle sees it, for the node's status: {@code public_endpoint}
 * ("ip:port", "[ipv6]:port", or null) and {@code nat_type}. Follows StunAddresses#state and asks
 * StunAddresses#stateQuery once at start; without a Stun verticle it stays null / "unknown".
 */
public final class StunStatus {
  private JsonObject last;

  /** Starts following; the caller unregisters the consumer when it stops. */
  public MessageConsumer<JsonObject> follow(EventBus bus, StunAddresses stun) {
    MessageConsumer<JsonObject> c = bus.localConsumer(stun.state(), m -> last = m.body());
    bus.<JsonObject>request(stun.stateQuery(), null).onSuccess(m -> {
      if (last == null) {
        last = m.body();
      }
    });
    return c;
  }

  /** Adds public_endpoint and nat_type to a status object. */
  public JsonObject addTo(JsonObject status) {
    String ip = last == null ? null : last.getString("public_ip");
    Integer port = last == null ? null : last.getInteger("public_port");
    String endpoint = ip == null || port == null ? null : ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    return status.put("public_endpoint", endpoint)
        .put("nat_type", last == null ? "unknown" : last.getString("nat_type", "unknown"));
  }
}
