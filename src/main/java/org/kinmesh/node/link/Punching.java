package org.kinmesh.node.link;

import org.kinmesh.stun.StunView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.punch.PunchAddresses;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Punch verticle for a direct UDP path to a peer at the endpoints we know for it, and
 * asks the peer (with a call-me over a path that works: TCP, else the relay) to punch back at
 * the same time; honours the peer's call-me in turn (docs/nat-traversal.md).
 */
final class Punching {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  /** At most one call-me to a peer this often, and one honoured from it. */
  static final long CALL_ME_INTERVAL_MS = 2_000;

  private final LinkContext ctx;
  private final UdpPaths udp;
  private final RelayedPath relayed;
  /** Our public endpoint as STUN last saw it (null: unknown). */
  private Endpoint stunPublic;
  private String ownNat = "unknown";

  Punching(LinkContext ctx, UdpPaths udp, RelayedPath relayed) {
    this.ctx = ctx;
    this.udp = udp;
    this.relayed = relayed;
  }

  /** Asks the Punch verticle for a direct UDP path to the peer at its known endpoints. */
  void punch(Peer p) {
    punch(p, p.endpoint == null ? List.of() : List.of(p.endpoint));
  }

  /**
   * Starts (or hurries) a punch toward these endpoints of the peer and, over a path that works,
   * asks the peer to punch back at the same time.
   */
  void punch(Peer p, List<String> endpoints) {
    if (ctx.stopping || ctx.policy == PathPolicy.FORCE_RELAY || p.peerForceRelay || p.refused != null
        || udp.has(p.key) || endpoints.isEmpty()) {
      return;
    }
    ctx.vertx.eventBus().request(ctx.addresses.punch().start(), new JsonObject().put("peer", p.key)
        .put("endpoints", new JsonArray(new ArrayList<>(endpoints)))).onFailure(e ->
        LOG.debug("{} op=link.punch peer={} not started: {}", ctx.log, KeyIds.shortId(p.key), e.getMessage()));
    callMe(p);
  }

  private void callMe(Peer p) {
    long now = ctx.monotonicMillis();
    List<Endpoint> mine = ownCandidates();
    if (mine.isEmpty() || now - p.lastCallMeSent < CALL_ME_INTERVAL_MS) {
      return;
    }
    LinkSession s = p.session();
    boolean viaTcp = s != null && s.isOpen();
    boolean viaRelay = !viaTcp && relayed.connected() && p.selector.isUp(PathKind.RELAYED);
    if (!viaTcp && !viaRelay) {
      return;
    }
    p.lastCallMeSent = now;
    String msg = new CallMe(mine).encode();
    if (viaTcp) {
      s.send(msg);
    } else {
      relayed.send(p.key, msg);
    }
  }

  /** Where a peer may reach our UDP socket: STUN's public endpoint, then the address we listen on. */
  private List<Endpoint> ownCandidates() {
    List<Endpoint> out = new ArrayList<>(2);
    if (stunPublic != null) {
      out.add(stunPublic);
    }
    String host = ctx.settings.listenHost();
    if (!host.equals("0.0.0.0") && !host.equals("::") && WireRules.isIp(host)) {
      out.add(new Endpoint(WireRules.canonicalIp(host), ctx.boundPort));
    }
    return out;
  }

  /** Our NAT type as STUN last classified it, for /peers' reasons. */
  String ownNat() {
    return ownNat;
  }

  /** STUN's typed view, used as it is; a view without an endpoint keeps the last one. */
  void onStunState(StunView view) {
    ownNat = view.natType().wire();
    view.publicEndpoint().ifPresent(e -> stunPublic = e);
  }

  /** A link control message (a call-me) from an authenticated peer: over TCP, or the relay's verified sender. */
  void onControl(Peer p, String payload) {
    long now = ctx.monotonicMillis();
    CallMe call;
    try {
      call = CallMe.parse(payload);
    } catch (WireException e) {
      ctx.counters.increment("control_malformed");
      return;
    }
    if (now - p.lastCallMeHonoured < CALL_ME_INTERVAL_MS || ctx.policy == PathPolicy.FORCE_RELAY
        || p.peerForceRelay) {
      ctx.counters.increment("control_ignored");
      return;
    }
    p.lastCallMeHonoured = now;
    List<String> eps = new ArrayList<>();
    call.endpoints().forEach(e -> eps.add(e.toString()));
    if (p.endpoint != null && !eps.contains(p.endpoint)) {
      eps.add(p.endpoint);
    }
    LOG.debug("{} op=link.call_me peer={} endpoints={}", ctx.log, KeyIds.shortId(p.key), eps);
    ctx.vertx.eventBus().request(ctx.addresses.punch().start(), new JsonObject().put("peer", p.key)
        .put("endpoints", new JsonArray(eps))).onFailure(e ->
        LOG.debug("{} op=link.punch peer={} not started: {}", ctx.log, KeyIds.shortId(p.key), e.getMessage()));
  }
}
