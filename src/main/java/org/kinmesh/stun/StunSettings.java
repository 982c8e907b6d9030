package org.kinmesh.stun;

import java.util.List;
import org.kinmesh.node.NodeConfig;

/**
 * The node's STUN settings: servers in order (empty: STUN off), the refresh period, how often
 * the interface addresses are polled for a change, and the probe timings.
 */
public record StunSettings(List<ServerSpec> servers, long refreshMillis, long networkPollMillis,
    ProbeSettings probe) {
  public StunSettings {
    servers = List.copyOf(servers);
  }

  public static StunSettings fromConfig(NodeConfig config) {
    return new StunSettings(config.stunServers(), config.intervals().stunRefreshSecs() * 1000L,
        config.intervals().networkPollSecs() * 1000L, ProbeSettings.DEFAULT);
  }
}
