package org.kinmesh.gossip;

import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/** One row of the persistent cache {@code peer_endpoints} (data_dir/peers.db). */
public record CachedEndpoint(String pubkey, Endpoint endpoint, NatType nat, long lastSeenSecs, long version,
    double score, int sources) {}
