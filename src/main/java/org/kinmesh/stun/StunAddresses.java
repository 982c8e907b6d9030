package org.kinmesh.stun;

import org.kinmesh.bus.BusScope;

/** The event-bus addresses the Stun verticle of one node provides (docs/architecture.md, address table). */
public record StunAddresses(String state, String stateQuery, String refresh) {
  public static final StunAddresses DEFAULT = in(BusScope.DEFAULT);

  public static StunAddresses in(BusScope scope) {
    return new StunAddresses(scope.internal("stun.state"), scope.internal("stun.state.query"),
        scope.internal("stun.refresh"));
  }
}
