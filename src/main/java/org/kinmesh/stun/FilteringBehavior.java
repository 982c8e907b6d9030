package org.kinmesh.stun;

/** RFC 5780 §4.4: which inbound packets the NAT lets through to a mapping. */
public enum FilteringBehavior {
  /** From anywhere (full cone). */
  ENDPOINT_INDEPENDENT,
  /** From any port of an IP the host has sent to (restricted cone). */
  ADDRESS_DEPENDENT,
  /** Only from an IP and port the host has sent to (port-restricted cone). */
  ADDRESS_AND_PORT_DEPENDENT,
  UNKNOWN;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
