package org.kinmesh.stun;

import java.net.InetSocketAddress;

/** A configured STUN server and the address its name resolved to. */
public record StunServer(String name, InetSocketAddress address) {
  public StunServer {
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("unresolved STUN server address: " + address);
    }
  }
}
