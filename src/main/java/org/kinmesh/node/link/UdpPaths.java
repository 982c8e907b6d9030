package org.kinmesh.node.link;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.node.link.udp.UdpLinkPaths;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The punched UDP paths ("direct_udp"): opens one when the Punch verticle found a way to the
 * peer, moves datagrams between {@link UdpLinkPaths} and the node's UDP transport, and reports
 * what the paths heard and lost.
 */
final class UdpPaths {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);

  /** What the UDP paths hand back to the links. */
  interface Listener {
    /** A message from the peer arrived on its UDP path. */
    void delivered(String peer, byte[] payload);

    /** The peer's UDP path failed; these messages were not acknowledged and need another way. */
    void failed(Peer p, List<byte[]> unacknowledged);
  }

  private final LinkContext ctx;
  private final UdpAddresses udp;
  /** udp.send(), built once: it is used for every datagram. */
  private final String sendAddress;
  private final PeerEvents events;
  private final PathTimer timer;
  private final Listener listener;
  private final UdpLinkPaths paths;

  UdpPaths(LinkContext ctx, UdpAddresses udp, PeerEvents events, PathTimer timer, Listener listener) {
    this.ctx = ctx;
    this.udp = udp;
    this.sendAddress = udp.send();
    this.events = events;
    this.timer = timer;
    this.listener = listener;
    this.paths = new UdpLinkPaths(new Sink(), ctx.identity, ctx.settings.blockchainId(), ctx.clock);
  }

  void onDatagram(UdpDatagram d) {
    long unverified = paths.unverified();
    paths.onDatagram(new Endpoint(WireRules.canonicalIp(d.host()), d.port()), d.data(), ctx.monotonicNanos());
    if (paths.unverified() > unverified) {
      ctx.counters.increment("udp_unverified_frames"); // spoofed, or its OPEN was lost (then resent)
    }
    timer.arm();
  }

  /** The Punch verticle confirmed a path to the peer at an endpoint. */
  void onPunched(JsonObject b) {
    Peer p = b == null ? null : ctx.peer(b.getString("peer"));
    if (p == null || ctx.stopping) {
      return;
    }
    if (p.refused != null) {
      // Refused on its signed hello (another genesis): no path of any kind.
      ctx.counters.increment("udp_refused_" + Rejection.GENESIS_MISMATCH.code());
      return;
    }
    if (ctx.policy == PathPolicy.FORCE_RELAY || p.peerForceRelay) {
      // A punch that raced the peer's force_relay hello: no direct path either way (issue 12.7).
      ctx.counters.increment("udp_refused_force_relay");
      return;
    }
    try {
      Endpoint ep = Endpoint.parse(b.getString("endpoint"));
      boolean changed = paths.open(p.key, ep, ctx.monotonicNanos());
      long rtt = b.getLong("rtt_ms", -1L);
      p.selector.up(PathKind.DIRECT_UDP, ctx.monotonicMillis());
      p.selector.heard(PathKind.DIRECT_UDP, ctx.monotonicMillis(), rtt);
      p.reach.heard();
      if (changed) {
        LOG.info("{} op=link.udp_up peer={} endpoint={} rtt_ms={}", ctx.log, KeyIds.shortId(p.key), ep, rtt);
      }
      events.reselect(p);
      timer.arm();
    } catch (WireException | RuntimeException e) {
      LOG.warn("{} op=link.udp_up bad path event ignored: {}; the peer stays on its other paths; report this"
          + " line (a bug)", ctx.log, e.getMessage());
    }
  }

  /** Sends on the peer's UDP path; false when it has none or the path refused. */
  boolean send(Peer p, byte[] payload) {
    if (!paths.send(p.key, payload, ctx.monotonicNanos())) {
      return false;
    }
    timer.arm();
    return true;
  }

  boolean has(String peer) {
    return paths.has(peer);
  }

  Endpoint endpoint(String peer) {
    return paths.endpoint(peer);
  }

  long rttMillis(String peer) {
    return paths.rttMillis(peer);
  }

  void close(String peer) {
    paths.close(peer);
  }

  /** Retransmissions, heartbeats and failures that are due; returns when (nanos) they next are. */
  long tick(long nowNanos) {
    return paths.tick(nowNanos);
  }

  /** Results of the UDP paths, on the links' event loop. */
  private final class Sink implements UdpLinkPaths.Sink {
    @Override
    public void datagram(Endpoint to, Buffer data) {
      ctx.vertx.eventBus().send(sendAddress, new UdpDatagram(to.ip(), to.port(), data));
    }

    @Override
    public void delivered(String peer, byte[] payload) {
      if (!ctx.authorized.contains(peer)) {
        ctx.counters.increment(Rejection.DEAUTHORIZED);
        return;
      }
      listener.delivered(peer, payload);
    }

    @Override
    public void heard(String peer, long rttNanos) {
      Peer p = ctx.peer(peer);
      if (p != null) {
        p.selector.heard(PathKind.DIRECT_UDP, ctx.monotonicMillis(),
            rttNanos < 0 ? -1 : rttNanos / 1_000_000L);
        if (!p.reach.heardSinceDown()) {
          p.reach.heard();
          events.reselect(p);
        }
      }
    }

    @Override
    public void failed(String peer, List<byte[]> unacknowledged) {
      Peer p = ctx.peer(peer);
      ctx.counters.increment("udp_path_failed");
      if (p == null) {
        return;
      }
      p.selector.down(PathKind.DIRECT_UDP, ctx.monotonicMillis());
      LOG.info("{} op=link.udp_down peer={} moving {} unacknowledged messages", ctx.log, KeyIds.shortId(peer),
          unacknowledged.size());
      events.reselect(p);
      listener.failed(p, unacknowledged);
    }
  }
}
