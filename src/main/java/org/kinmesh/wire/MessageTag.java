package org.kinmesh.wire;

/** Domain tags of PROTOCOL.md: one per signed message kind, so no signature crosses kinds. */
public enum MessageTag {
  RELAY_REGISTER("kinmesh-relay-register-v1"),
  RELAY_LOOKUP("kinmesh-relay-lookup-v1"),
  RELAY_REGISTER_BLOCKCHAIN("kinmesh-relay-register-blockchain-v1"),
  RELAY_AUTHORIZE_NODE("kinmesh-relay-authorize-node-v1"),
  ANNOUNCE("kinmesh-announce-v1"),
  PULL("kinmesh-pull-v1");

  private final String wireTag;

  MessageTag(String wireTag) {
    this.wireTag = wireTag;
  }

  public String wireTag() {
    return wireTag;
  }
}
