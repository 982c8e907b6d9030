package org.kinmesh.chain;

import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.WireException;

/** Transaction types, each with its wire name and its own signing domain tag. */
public enum TxType {
  NODE_REGISTRATION("node_registration", MessageTag.TX_NODE_REGISTRATION),
  NODE_DEAUTHORIZATION("node_deauthorization", MessageTag.TX_NODE_DEAUTHORIZATION),
  NODE_REACTIVATION("node_reactivation", MessageTag.TX_NODE_REACTIVATION),
  FAMILY_MEMBER_ADD("family_member_add", MessageTag.TX_FAMILY_MEMBER_ADD),
  FAMILY_MEMBER_REMOVE("family_member_remove", MessageTag.TX_FAMILY_MEMBER_REMOVE),
  APPROVAL("approval", MessageTag.TX_APPROVAL),
  DATA("data", MessageTag.TX_DATA),
  /** A new node's own registration, carrying a guardian's invite (docs/guide.md, "Invites"). */
  NODE_JOIN("node_join", MessageTag.TX_NODE_JOIN);

  private final String wire;
  private final MessageTag tag;

  TxType(String wire, MessageTag tag) {
    this.wire = wire;
    this.tag = tag;
  }

  public String wire() {
    return wire;
  }

  public MessageTag tag() {
    return tag;
  }

  public static TxType fromWire(String s) throws WireException {
    for (TxType t : values()) {
      if (t.wire.equals(s)) {
        return t;
      }
    }
    throw WireException.malformed("field 'type' is not a known transaction type: '" + s + "'");
  }
}
