package org.kinmesh.stun;

/** RFC 5780 §4.3: how the NAT picks the public address of an outgoing flow. */
public enum MappingBehavior {
  /** Same public address whatever the destination (the "cone" NATs). */
  ENDPOINT_INDEPENDENT,
  /** A new mapping per destination IP. */
  ADDRESS_DEPENDENT,
  /** A new mapping per destination IP and port. */
  ADDRESS_AND_PORT_DEPENDENT,
  /** Differs per destination IP; whether per port too is unknown (test III unanswered, or only two servers). */
  DEPENDENT,
  /** No NAT: the mapped address is the socket's own. */
  NONE,
  UNKNOWN;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
