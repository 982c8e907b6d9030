package org.kinmesh.gossip;

import java.nio.file.Path;
import java.util.List;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * What one Gossip verticle needs beyond its config: the chain, the endpoints the operator
 * asked to advertise (first in our announce), and the cache file (null: no persistence, as in
 * the benchmark's thousand in-memory nodes).
 */
public record GossipSettings(String blockchainId, GossipConfig config, List<Endpoint> advertise, Path peersDb) {
  public GossipSettings {
    advertise = List.copyOf(advertise);
  }
}
