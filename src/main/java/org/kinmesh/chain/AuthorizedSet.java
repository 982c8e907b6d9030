package org.kinmesh.chain;

import java.util.Set;

/**
 * The consensus keys authorized at a height, as the ledger publishes them on
 * {@link ChainAddresses#authorizedSet}: a typed value passed by reference (bus.LocalCodec), so gossip,
 * punch and the links use it as it is instead of each re-parsing a JSON body.
 */
public record AuthorizedSet(long height, Set<String> keys) {
  public AuthorizedSet {
    keys = Set.copyOf(keys);
  }

  /** The authorized consensus keys of {@code state}. */
  public static AuthorizedSet of(GovernanceState state) {
    return new AuthorizedSet(state.height(),
        Set.copyOf(state.authorizedConsensusNodes().stream().map(NodeRecord::pubkey).toList()));
  }
}
