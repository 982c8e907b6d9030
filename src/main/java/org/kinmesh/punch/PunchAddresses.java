package org.kinmesh.punch;

import org.kinmesh.bus.BusScope;

/** The event-bus addresses the Punch verticle of one node provides (docs/architecture.md, address table). */
public record PunchAddresses(String start, String stop, String path, String status) {
  public static final PunchAddresses DEFAULT = in(BusScope.DEFAULT);

  /**
   * start (request/reply): {"peer", "endpoints": ["ip:port", ...]} → {}; starts or hurries an attempt.
   * stop (send): {"peer"}; stops the attempt. path (publish): a direct path opened: {"peer", "endpoint",
   * "rtt_ms", "elapsed_ms", "observed_self"}. status (request/reply): {"attempts": [...], "drops": {...}}.
   */
  public static PunchAddresses in(BusScope scope) {
    return new PunchAddresses(scope.internal("punch.start"), scope.internal("punch.stop"), scope.internal("punch.path"),
        scope.internal("punch.status"));
  }
}
