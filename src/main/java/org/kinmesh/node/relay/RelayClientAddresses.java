package org.kinmesh.node.relay;

import org.kinmesh.bus.BusScope;

/**
 * The relay client's internal addresses in one node's scope. lookup (request/reply): {"pubkey"} →
 * {"ip","port","last_seen"} or a failure; state (published): {"registered", "observed_ip", "observed_port"}.
 */
public record RelayClientAddresses(String lookup, String state) {
  public static RelayClientAddresses in(BusScope scope) {
    return new RelayClientAddresses(scope.internal("relay.lookup"), scope.internal("relay.state"));
  }
}
