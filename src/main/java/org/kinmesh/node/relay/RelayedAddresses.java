package org.kinmesh.node.relay;

import org.kinmesh.bus.BusScope;

/**
 * Event-bus addresses of the node's relayed connection ({@link RelayedConnectionVerticle};
 * docs/relay.md, "The node's relayed connection") in one node's scope. Internal wiring, not an API.
 *
 * <p>send: {"to": pubkey hex, "payload": string} is sent to that key through the relay. Fire and forget
 * with send(); with request() the reply is {"status": "sent"} or a failure (ReplyException failureCode
 * 400 malformed, 413 too_large, 503 not_connected or queue_full; message JSON {"error", "message"}).
 * "sent" means handed to the relay, not delivered: the relay answers a frame it cannot forward with an
 * undeliverable notice.
 * <p>inbound (published): {"from": pubkey hex (stamped by the relay after it verified the sender), "payload"}.
 * <p>undeliverable (published): {"to": pubkey hex, "reason": "not_connected" | "queue_full" | "rate_limited"
 * | "too_large"} when the relay did not forward a frame we sent.
 * <p>state (published on every change): {"connected": true, "relay": url} once the relay accepted us;
 * {"connected": false, "relay": url, "reason": code, "retry_in_ms": n} after each failed try or close.
 * <p>status (request/reply, any body): {"connected", "relay", "failures", "counters": {name: count}}.
 */
public record RelayedAddresses(String send, String inbound, String undeliverable, String state, String status) {
  public static RelayedAddresses in(BusScope scope) {
    return new RelayedAddresses(scope.internal("relay.relayed.send"), scope.internal("relay.relayed.inbound"),
        scope.internal("relay.relayed.undeliverable"), scope.internal("relay.relayed.state"),
        scope.internal("relay.relayed.status"));
  }
}
