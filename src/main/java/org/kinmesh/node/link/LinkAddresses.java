package org.kinmesh.node.link;

import org.kinmesh.bus.BusScope;

/**
 * The links' internal addresses in one node's scope. send: {"to": pubkey, "payload": string}, fire and
 * forget; broadcast: {"payload": string} to every connected authorized peer; inbound (published): what
 * peers sent, {"from": pubkey, "payload": string}.
 */
public record LinkAddresses(String send, String broadcast, String inbound) {
  public static LinkAddresses in(BusScope scope) {
    return new LinkAddresses(scope.internal("links.send"), scope.internal("links.broadcast"),
        scope.internal("links.inbound"));
  }
}
