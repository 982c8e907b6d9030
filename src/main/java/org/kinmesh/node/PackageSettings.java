package org.kinmesh.node;

import org.kinmesh.gossip.GossipSettings;
import org.kinmesh.stun.ProbeSettings;
import org.kinmesh.stun.StunSettings;

/**
 * Builds each lower package's own settings type from the node config. The packages below node/
 * never see NodeConfig (docs/architecture.md: node/ is the composition root).
 */
public final class PackageSettings {
  private PackageSettings() {}

  public static StunSettings stun(NodeConfig config) {
    return new StunSettings(config.stunServers(), config.intervals().stunRefreshSecs() * 1000L,
        config.intervals().networkPollSecs() * 1000L, ProbeSettings.DEFAULT);
  }

  public static GossipSettings gossip(NodeConfig config, String blockchainId) {
    return new GossipSettings(blockchainId, config.gossip(), config.advertiseEndpoints(), config.peersDb());
  }
}
