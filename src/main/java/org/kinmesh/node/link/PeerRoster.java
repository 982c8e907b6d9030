package org.kinmesh.node.link;

import org.kinmesh.chain.AuthorizedSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.punch.PunchAddresses;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the peers in step with the ledger's authorized set: a new key becomes a peer and is
 * dialed; a key that left is disconnected on every path at once and forgotten.
 */
final class PeerRoster {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  /** ARCHITECTURE.md limits: at most 100 peers. */
  static final int MAX_PEERS = 100;

  private final LinkContext ctx;
  private final PeerEvents events;
  private final TcpLinks tcp;
  private final UdpPaths udp;
  private final RelayedPath relayed;

  PeerRoster(LinkContext ctx, PeerEvents events, TcpLinks tcp, UdpPaths udp, RelayedPath relayed) {
    this.ctx = ctx;
    this.events = events;
    this.tcp = tcp;
    this.udp = udp;
    this.relayed = relayed;
  }

  /** AUTHORIZED_SET: {"height", "keys"}; a set older than the last one is ignored. */
  void apply(AuthorizedSet set) {
    if (ctx.stopping || set == null || set.height() < ctx.authorizedHeight) {
      return;
    }
    ctx.authorizedHeight = set.height();
    Set<String> next = set.keys();
    ctx.authorized = next;
    for (String gone : new ArrayList<>(ctx.peers.keySet())) {
      if (!next.contains(gone)) {
        deauthorize(ctx.peers.remove(gone));
      }
    }
    tcp.closeUnauthorized(next);
    for (String k : next) {
      if (!k.equals(ctx.self) && !ctx.peers.containsKey(k)) {
        if (ctx.peers.size() >= MAX_PEERS) {
          ctx.counters.increment("peer_limit");
          LOG.warn("{} op=links.authorized peer={} not linked: at most {} peers; remove nodes the family no longer"
              + " uses (kinmesh admin) to make room", ctx.log, KeyIds.shortId(k),
              MAX_PEERS);
          continue;
        }
        Peer p = new Peer(k, ctx.self, ctx.settings.breakerThreshold(), ctx.settings.breakerCoolDown(), ctx.policy);
        ctx.peers.put(k, p);
        relayed.added(p);
        tcp.dial(p);
      }
    }
  }

  private void deauthorize(Peer p) {
    udp.close(p.key);
    ctx.vertx.eventBus().send(ctx.addresses.punch().stop(), new JsonObject().put("peer", p.key));
    tcp.deauthorize(p);
    // Down whatever path it was up on (and during a hand-over between two of its links).
    if (p.reach.deauthorized()) {
      events.publish(p, "down", "deauthorized");
    }
  }
}
