package org.kinmesh.stun;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * The latest STUN view as another verticle sees it, for the node's status: {@code public_endpoint}
 * ("ip:port", "[ipv6]:port", or null) and {@code nat_type}. Follows StunAddresses#state and asks
 * StunAddresses#stateQuery once at start; without a Stun verticle it stays null / "unknown".
 * The view arrives typed (StunView); JSON is made here only because the status leaves the node.
 */
public final class StunStatus {
  private StunView last;

  /** Starts following; the caller unregisters the consumer when it stops. */
  public MessageConsumer<StunView> follow(EventBus bus, StunAddresses stun) {
    MessageConsumer<StunView> c = bus.localConsumer(stun.state(), m -> last = m.body());
    bus.<StunView>request(stun.stateQuery(), null).onSuccess(m -> {
      if (last == null) {
        last = m.body();
      }
    });
    return c;
  }

  /** Adds public_endpoint and nat_type to a status object. */
  public JsonObject addTo(JsonObject status) {
    return status.put("public_endpoint", last == null ? null : last.endpointText())
        .put("nat_type", last == null ? "unknown" : last.natType().wire());
  }
}
