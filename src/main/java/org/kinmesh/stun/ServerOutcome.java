package org.kinmesh.stun;

import java.net.InetSocketAddress;

/**
 * What one server did in test I (or as the second server): its mapped address, OTHER-ADDRESS
 * and round trip, or why it failed ({@code error}: "timeout", "error 420 Unknown Attribute",
 * "no mapped address", "cannot resolve ...").
 */
public record ServerOutcome(String server, InetSocketAddress address, InetSocketAddress mapped,
    InetSocketAddress otherAddress, long rttMillis, String error) {

  public static ServerOutcome answered(StunServer s, InetSocketAddress mapped, InetSocketAddress other, long rtt) {
    return new ServerOutcome(s.name(), s.address(), mapped, other, rtt, null);
  }

  public static ServerOutcome failed(String server, InetSocketAddress address, String error) {
    return new ServerOutcome(server, address, null, null, -1, error);
  }

  public boolean ok() {
    return error == null;
  }
}
