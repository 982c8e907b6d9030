package org.kinmesh.wire.gossip;

import org.kinmesh.wire.WireException;

/** NAT kinds named on the wire (PROTOCOL.md §3.1). */
public enum NatType {
  OPEN("open"), FULL_CONE("full_cone"), RESTRICTED("restricted"), PORT_RESTRICTED("port_restricted"),
  SYMMETRIC("symmetric"), UNKNOWN("unknown");

  private final String wire;

  NatType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static NatType fromWire(String s) throws WireException {
    for (NatType t : values()) {
      if (t.wire.equals(s)) {
        return t;
      }
    }
    throw WireException.malformed("unknown nat type '" + s + "'");
  }
}
