package org.kinmesh.udp;

import org.kinmesh.bus.BusScope;

/**
 * The event-bus addresses of one UdpTransport. A node uses {@link #in} with its scope; a harness that
 * runs many transports in one Vert.x (the gossip benchmark) gives each its own prefix.
 */
public record UdpAddresses(String prefix) {
  public static final UdpAddresses DEFAULT = in(BusScope.DEFAULT);

  /** The transport of the node whose bus scope is {@code scope}. */
  public static UdpAddresses in(BusScope scope) {
    return new UdpAddresses(scope.internal("udp"));
  }

  /** send: a {@link UdpDatagram} to put on the socket; fire and forget. */
  public String send() {
    return prefix + ".send";
  }

  /** publish: every inbound datagram of this kind, as a {@link UdpDatagram}. */
  public String inbound(DatagramKind kind) {
    return prefix + ".in." + kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** request/reply: {"host","port"} the socket is bound to, and the transport's counters. */
  public String info() {
    return prefix + ".info";
  }
}
