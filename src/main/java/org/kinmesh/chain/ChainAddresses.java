package org.kinmesh.chain;

import org.kinmesh.bus.BusScope;

/**
 * The chain's contract on the event bus of one node: the ledger (node/) publishes the authorized
 * consensus keys and answers queries for them; gossip, punch and the links below node/ consume them.
 */
public record ChainAddresses(String authorizedSet, String authorizedSetQuery) {
  public static final ChainAddresses DEFAULT = in(BusScope.DEFAULT);

  public static ChainAddresses in(BusScope scope) {
    return new ChainAddresses(scope.internal("ledger.authorized"), scope.internal("ledger.authorized.query"));
  }
}
