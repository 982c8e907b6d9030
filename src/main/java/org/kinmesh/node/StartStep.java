package org.kinmesh.node;

/** What the node is doing while it deploys a part, in words and config keys a user knows. */
final class StartStep {
  private StartStep() {}

  static String of(Object part) {
    return switch (part.getClass().getSimpleName()) {
      case "LedgerVerticle" -> "opening the ledger database in data_dir";
      case "UdpTransport" -> "binding the UDP socket (gossip_udp_port, listen_host)";
      case "PunchVerticle" -> "starting hole punching on the UDP socket";
      case "StunVerticle" -> "starting STUN on the UDP socket";
      case "GossipVerticle" -> "starting gossip (reading the peer cache in data_dir)";
      case "LinksVerticle" -> "listening for peer links on TCP (the UDP socket's port number, listen_host)";
      case "RelayClientVerticle" -> "starting the relay client (relay_url)";
      case "RelayedConnectionVerticle" -> "starting the relayed connection (relay_url)";
      case "ConsensusVerticle" -> "starting consensus (reading the chain state from the ledger)";
      case "NodeApiVerticle" -> "binding the API (api_listen)";
      default -> "starting " + part.getClass().getSimpleName();
    };
  }
}
