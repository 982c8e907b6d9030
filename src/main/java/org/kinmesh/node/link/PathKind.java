package org.kinmesh.node.link;

/** The ways a message can reach a peer, best first. */
public enum PathKind {
  DIRECT_UDP("direct_udp"),
  DIRECT_TCP("direct_tcp"),
  RELAYED("relayed"),
  NONE("none");

  private final String text;

  PathKind(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  public boolean direct() {
    return this == DIRECT_UDP || this == DIRECT_TCP;
  }
}
