package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;
import org.kinmesh.crypto.KeyIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's path choice and what the node announces about it on PEERS_EVENTS: "path" when
 * traffic moves, "up" when the peer becomes reachable (again on a path change), "down" when no
 * path is left, "state" for TCP dialing states.
 */
final class PeerEvents {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);

  private final LinkContext ctx;

  PeerEvents(LinkContext ctx) {
    this.ctx = ctx;
  }

  void state(Peer p, PeerState next) {
    if (p.state != next) {
      p.state = next;
      publish(p, "state", null);
    }
  }

  void publish(Peer p, String event, String reason) {
    JsonObject e = new JsonObject().put("pubkey", p.key).put("event", event).put("state", stateText(p))
        .put("path", p.selector.active().text()).put("why", p.selector.reason());
    if (reason != null) {
      e.put("reason", reason);
    }
    ctx.vertx.eventBus().publish(ctx.addresses.api().peersEvents(), e);
  }

  /**
   * Re-evaluates the peer's path; publishes a path event when it changed, "up" when the peer
   * became reachable (some path works and the peer was heard on one since it was last down) and
   * "down" when no path is left. Consensus counts responding peers by these two.
   */
  PathKind reselect(Peer p) {
    PathKind before = p.selector.active();
    PathKind now = p.selector.choose(ctx.monotonicMillis());
    if (now != before) {
      LOG.info("{} op=link.path peer={} {} -> {} ({})", ctx.log, KeyIds.shortId(p.key), before.text(), now.text(),
          p.selector.reason());
      publish(p, "path", p.selector.reason());
    }
    switch (p.reach.after(before, now)) {
      case UP -> {
        p.state = PeerState.CONNECTED;
        publish(p, "up", null);
      }
      // Traffic moved to another path: what was in flight on the old one (relayed frames have
      // no acknowledgements) may be lost, so say "up" again and let consensus resend its votes.
      case PATH_CHANGED -> publish(p, "up", "path changed");
      case DOWN -> {
        if (p.state == PeerState.CONNECTED) {
          p.state = PeerState.BACKOFF;
        }
        publish(p, "down", p.selector.reason());
      }
      case NONE -> { }
    }
    return now;
  }

  /** "connected" while the peer is reachable on any path; else what the TCP dialing is doing. */
  static String stateText(Peer p) {
    return p.reach.up() ? PeerState.CONNECTED.text() : p.state.text();
  }
}
