package org.kinmesh.stun;

import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/**
 * The Stun verticle's view of this node, published on {@link StunAddresses#state} and the reply of
 * {@link StunAddresses#stateQuery} and {@link StunAddresses#refresh}: a typed value passed by
 * reference (bus.LocalCodec), so gossip, the links' punching, the relay client and the status use it
 * as it is instead of each re-parsing a JSON body (issue 14). The public endpoint is empty while no
 * server has answered; its ip is canonical text (WireRules.canonicalIp).
 */
public record StunView(Optional<Endpoint> publicEndpoint, NatType natType, int localPort) {
  public StunView {
    Objects.requireNonNull(publicEndpoint, "publicEndpoint");
    Objects.requireNonNull(natType, "natType");
  }

  /** The view of a probe's endpoint (null: none found yet). */
  public static StunView of(InetSocketAddress publicEndpoint, NatType natType, int localPort) {
    return new StunView(Optional.ofNullable(publicEndpoint)
        .map(a -> new Endpoint(StunClient.ipText(a), a.getPort())), natType, localPort);
  }

  /** "ip:port", "[ipv6]:port", or null: the status's public_endpoint. */
  public String endpointText() {
    return publicEndpoint.map(e -> e.ip().indexOf(':') >= 0 ? "[" + e.ip() + "]:" + e.port() : e.ip() + ":" + e.port())
        .orElse(null);
  }

  /** {"public_ip","public_port","nat_type","local_port"}, for where the view leaves the node. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("public_ip", publicEndpoint.map(Endpoint::ip).orElse(null))
        .put("public_port", publicEndpoint.map(Endpoint::port).orElse(null))
        .put("nat_type", natType.wire())
        .put("local_port", localPort);
  }
}
