package org.kinmesh.node.link;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * Where to dial a peer: the peer table first (gossip's best endpoint), then the relay
 * (docs/gossip.md). After a failed table endpoint the next dial asks the relay once, so a stale
 * table cannot hide a peer the relay knows; every outcome goes back to the table's scores.
 */
final class PeerEndpoints {
  /** Gossip answers from memory; a slow answer means it is not running. */
  private static final DeliveryOptions TABLE_ASK = new DeliveryOptions().setSendTimeout(2_000);

  private final LinkContext ctx;
  /** Called when the relay gave a fresh endpoint for the peer (a chance to punch toward it). */
  private final Consumer<Peer> fromRelay;

  PeerEndpoints(LinkContext ctx, Consumer<Peer> fromRelay) {
    this.ctx = ctx;
    this.fromRelay = fromRelay;
  }

  /** The endpoint to dial, as {host, port}; remembers it in {@code p.dialed}. */
  Future<String[]> next(Peer p) {
    p.dialed = null;
    if (p.skipTable) {
      p.skipTable = false;
      return relayEndpoint(p);
    }
    if (!p.tableEndpoints.isEmpty()) {
      // What gossip last published for the peer, kept on the peer: no need to ask again.
      try {
        Endpoint best = Endpoint.parse(p.tableEndpoints.get(0));
        p.dialed = best.toString();
        p.dialedFromTable = true;
        return Future.succeededFuture(split(p.dialed));
      } catch (org.kinmesh.wire.WireException e) {
        // not usable: ask the table as before
      }
    }
    return ctx.vertx.eventBus().<JsonObject>request(ctx.addresses.gossip().peerTableQuery(),
        new JsonObject().put("pubkey", p.key),
        TABLE_ASK).map(m -> {
          JsonArray eps = m.body().getJsonArray("endpoints");
          JsonObject best = eps == null || eps.isEmpty() ? null : eps.getJsonObject(0);
          String ip = best == null ? null : best.getString("ip");
          Integer port = best == null ? null : best.getInteger("port");
          if (!WireRules.isIp(ip) || port == null || !WireRules.isPort(port)) {
            throw new IllegalStateException("peer table gave no usable endpoint");
          }
          p.dialed = new Endpoint(ip, port).toString();
          p.dialedFromTable = true;
          return new String[] {ip, Integer.toString(port)};
        }).recover(e -> relayEndpoint(p));
  }

  /** Tells the peer table how the dialed endpoint did. */
  void report(Peer p, boolean ok) {
    if (p.dialed != null) {
      ctx.vertx.eventBus().send(ctx.addresses.gossip().peerEndpointResult(), new JsonObject().put("pubkey", p.key)
          .put("endpoint", p.dialed).put("ok", ok).put("source", p.dialedFromTable ? "table" : "relay"));
    }
  }

  /** A dial failed: ask the relay next time (table endpoint), or forget the relay's answer (the peer may have moved). */
  void failed(Peer p) {
    report(p, false);
    if (p.dialedFromTable) {
      p.skipTable = true;
    } else {
      p.endpoint = null;
    }
  }

  /** The peer's endpoint from the relay, cached for lookup_cache_secs; forgotten after a failed dial. */
  private Future<String[]> relayEndpoint(Peer p) {
    p.dialedFromTable = false;
    if (p.endpoint != null && ctx.monotonicMillis() < p.endpointUntilMillis) {
      p.dialed = p.endpoint;
      return Future.succeededFuture(split(p.endpoint));
    }
    return ctx.vertx.eventBus().<JsonObject>request(ctx.addresses.relayClient().lookup(), new JsonObject().put("pubkey", p.key),
        new DeliveryOptions().setSendTimeout(ctx.settings.lookupTimeoutMillis())).map(m -> {
          JsonObject b = m.body();
          String ip = b.getString("ip");
          Integer port = b.getInteger("port");
          if (!WireRules.isIp(ip) || port == null || !WireRules.isPort(port)) {
            throw new IllegalStateException("relay lookup gave no usable endpoint");
          }
          p.endpoint = new Endpoint(ip, port).toString();
          p.endpointUntilMillis = ctx.monotonicMillis() + ctx.settings.lookupCacheMillis();
          p.dialed = p.endpoint;
          fromRelay.accept(p);
          return new String[] {ip, Integer.toString(port)};
        });
  }

  private static String[] split(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new String[] {host, endpoint.substring(colon + 1)};
  }
}
