package org.kinmesh.wire;

/** Domain tags of PROTOCOL.md: one per signed message kind, so no signature crosses kinds. */
public enum MessageTag {
  RELAY_REGISTER("kinmesh-relay-register-v1"),
  RELAY_LOOKUP("kinmesh-relay-lookup-v1"),
  RELAY_REGISTER_BLOCKCHAIN("kinmesh-relay-register-blockchain-v1"),
  RELAY_AUTHORIZE_NODE("kinmesh-relay-authorize-node-v1"),
  // Relayed traffic (docs/relay.md): a node's answer to the relay's connect challenge.
  RELAY_CONNECT("kinmesh-relay-connect-v1"),
  ANNOUNCE("kinmesh-announce-v1"),
  PULL("kinmesh-pull-v1"),
  // Node links (docs/links.md): the hello each side of a peer link signs (v2: with the genesis
  // hash), and the hello two peers exchange through the relay.
  LINK_HELLO("kinmesh-link-hello-v2"),
  LINK_RELAYED_HELLO("kinmesh-link-relayed-hello-v1"),
  // Hole punching (docs/nat-traversal.md): probes and their replies on the UDP socket (v2: with
  // the genesis hash).
  PUNCH_PROBE("kinmesh-punch-probe-v2"),
  PUNCH_REPLY("kinmesh-punch-reply-v2"),
  // Punched UDP paths (docs/links.md §4): the signed open that lets a peer start a new stream.
  LINK_OPEN("kinmesh-link-open-v1"),
  // Ledger (docs/chain.md): one tag per transaction type, plus blocks and chain parameters.
  // Invite codes (docs/guide.md): a guardian's signed, expiring, single-use invitation.
  INVITE("kinmesh-invite-v1"),
  TX_NODE_REGISTRATION("kinmesh-tx-node-registration-v1"),
  TX_NODE_DEAUTHORIZATION("kinmesh-tx-node-deauthorization-v1"),
  TX_NODE_REACTIVATION("kinmesh-tx-node-reactivation-v1"),
  TX_FAMILY_MEMBER_ADD("kinmesh-tx-family-member-add-v1"),
  TX_FAMILY_MEMBER_REMOVE("kinmesh-tx-family-member-remove-v1"),
  TX_APPROVAL("kinmesh-tx-approval-v1"),
  TX_DATA("kinmesh-tx-data-v1"),
  TX_NODE_JOIN("kinmesh-tx-node-join-v1"),
  BLOCK("kinmesh-block-v1"),
  BLOCK_TXS("kinmesh-block-txs-v1"),
  CHAIN_PARAMS("kinmesh-chain-params-v1"),
  // Consensus envelopes (docs/consensus.md): one tag per PBFT message kind.
  PBFT_PRE_PREPARE("kinmesh-pbft-pre-prepare-v1"),
  PBFT_PREPARE("kinmesh-pbft-prepare-v1"),
  PBFT_COMMIT("kinmesh-pbft-commit-v1"),
  PBFT_CHECKPOINT("kinmesh-pbft-checkpoint-v1"),
  PBFT_VIEW_CHANGE("kinmesh-pbft-view-change-v1"),
  PBFT_NEW_VIEW("kinmesh-pbft-new-view-v1"),
  PBFT_FETCH("kinmesh-pbft-fetch-v1"),
  PBFT_BLOCK("kinmesh-pbft-block-v1");

  private final String wireTag;

  MessageTag(String wireTag) {
    this.wireTag = wireTag;
  }

  public String wireTag() {
    return wireTag;
  }
}
