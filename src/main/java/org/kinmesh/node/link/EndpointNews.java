package org.kinmesh.node.link;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.KeyIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gossip's peer table tells the peer's owner ({@link Peer}) what it learned (PEER_TABLE_UPDATED):
 * the peer's endpoints, best first, and its NAT type. An endpoint the peer did not have before is
 * news: the links dial it at once (not at the dialer's back-off timer) and punch toward the
 * endpoints while no UDP path exists. Gossip republishes after every score change; the same
 * endpoints again are no news, so this never undoes the back-off of a peer that stays away.
 */
final class EndpointNews {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  /** More than gossip keeps per peer; a bound on what one message can make us hold. */
  static final int MAX_ENDPOINTS = 16;

  private final LinkContext ctx;
  private final TcpLinks tcp;
  private final UdpPaths udp;
  private final Punching punching;

  EndpointNews(LinkContext ctx, TcpLinks tcp, UdpPaths udp, Punching punching) {
    this.ctx = ctx;
    this.tcp = tcp;
    this.udp = udp;
    this.punching = punching;
  }

  void onPeerTable(JsonObject b) {
    Peer p = b == null ? null : ctx.peer(b.getString("pubkey"));
    if (p == null) {
      return;
    }
    if (b.getValue("nat") instanceof String nat) {
      p.nat = nat;
    }
    List<String> eps = new ArrayList<>();
    if (b.getValue("endpoints") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject e && e.getValue("endpoint") instanceof String ep && eps.size() < MAX_ENDPOINTS) {
          eps.add(ep);
        }
      }
    }
    boolean news = eps.stream().anyMatch(ep -> !p.tableEndpoints.contains(ep));
    p.tableEndpoints = List.copyOf(eps);
    if (news && ctx.policy != PathPolicy.FORCE_RELAY && !p.peerForceRelay && p.refused == null) {
      LOG.debug("{} op=link.endpoint_news peer={} endpoints={}", ctx.log, KeyIds.shortId(p.key), eps);
      tcp.dialOnNews(p);
    }
    if (!udp.has(p.key)) {
      punching.punch(p, eps);
    }
  }
}
