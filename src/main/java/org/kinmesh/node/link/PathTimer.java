package org.kinmesh.node.link;

/**
 * One timer for everything on the paths that falls due: every UDP path's retransmissions and
 * heartbeats, every direct path's silence check, and the relayed path's retry. Armed for the
 * earliest deadline; when it fires every peer's path is re-evaluated.
 */
final class PathTimer {
  private final LinkContext ctx;
  private final PeerEvents events;
  private UdpPaths udp;
  private RelayedPath relayed;
  private long timer = -1;
  private long timerAt = Long.MAX_VALUE;

  PathTimer(LinkContext ctx, PeerEvents events) {
    this.ctx = ctx;
    this.events = events;
  }

  /** The paths whose deadlines this timer keeps (they arm it in turn). */
  void watch(UdpPaths udp, RelayedPath relayed) {
    this.udp = udp;
    this.relayed = relayed;
  }

  void arm() {
    if (ctx.stopping) {
      return;
    }
    long nextNanos = udp.tick(ctx.monotonicNanos());
    long nowMillis = ctx.monotonicMillis();
    long next = nextNanos == Long.MAX_VALUE ? Long.MAX_VALUE : nextNanos / 1_000_000L + 1;
    for (Peer p : ctx.peers.values()) {
      next = Math.min(next, p.selector.nextSilenceDeadline());
      next = Math.min(next, relayed.retryAt(p));
    }
    if (next == Long.MAX_VALUE || (timer >= 0 && timerAt <= next)) {
      return;
    }
    if (timer >= 0) {
      ctx.vertx.cancelTimer(timer);
    }
    timerAt = next;
    timer = ctx.vertx.setTimer(Math.max(1, next - nowMillis), id -> {
      timer = -1;
      timerAt = Long.MAX_VALUE;
      long t = ctx.monotonicMillis();
      for (Peer p : ctx.peers.values()) {
        relayed.retryIfDue(p, t);
        events.reselect(p);
      }
      arm();
    });
  }

  void cancel() {
    if (timer >= 0) {
      ctx.vertx.cancelTimer(timer);
      timer = -1;
      timerAt = Long.MAX_VALUE;
    }
  }
}
