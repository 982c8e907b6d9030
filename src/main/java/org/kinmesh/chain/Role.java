package org.kinmesh.chain;

import org.kinmesh.wire.WireException;

/** A family member's role: guardians govern, members may only submit data. */
public enum Role {
  GUARDIAN, MEMBER;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Role fromWire(String s) throws WireException {
    for (Role r : values()) {
      if (r.wire().equals(s)) {
        return r;
      }
    }
    throw WireException.malformed("field 'role' must be 'guardian' or 'member'");
  }
}
