package org.kinmesh.stun;

import java.util.List;

/**
 * The node's STUN settings: servers in order (empty: STUN off), the refresh period, how often
 * the interface addresses are polled for a change, and the probe timings.
 */
public record StunSettings(List<ServerSpec> servers, long refreshMillis, long networkPollMillis,
    ProbeSettings probe) {
  public StunSettings {
    servers = List.copyOf(servers);
  }
}
