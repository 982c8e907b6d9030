package org.kinmesh.node.link;

import java.util.EnumMap;
import java.util.Map;

/**
 * One peer's path state machine (pure; time in milliseconds is passed in). Each path is up or
 * down and remembers when the peer was last heard on it. A direct path is trusted until two
 * heartbeats go missing ({@link #DIRECT_SILENCE_MS}); then traffic moves to the relayed path at
 * once. Going back to direct needs the direct path to have been heard steadily for
 * {@link #UPGRADE_HOLD_MS} and, after a downgrade, a quiet period ({@link #FLAP_HOLD_MS}), so a
 * path that comes and goes does not drag traffic back and forth. With no path in use yet, the
 * first working one is taken at once (time to direct is not delayed).
 */
public final class PathSelector {
  public static final long HEARTBEAT_MS = 3_000;
  /** About two missed heartbeats plus scheduling slack: the ~7 s the design allows. */
  public static final long DIRECT_SILENCE_MS = 2 * HEARTBEAT_MS + 1_000;
  public static final long UPGRADE_HOLD_MS = 1_000;
  public static final long FLAP_HOLD_MS = 10_000;

  private static final class PathState {
    boolean up;
    long upSince;
    long lastHeard;
    long rttMillis = -1;
  }

  private final PathPolicy policy;
  /** The peer's own policy is force_relay (its signed relayed hello said so): relayed only. */
  private boolean peerForcesRelay;
  private final Map<PathKind, PathState> paths = new EnumMap<>(PathKind.class);
  private PathKind active = PathKind.NONE;
  private String reason = "no path yet";
  private long lastDowngradeAt = Long.MIN_VALUE / 2;

  public PathSelector(PathPolicy policy) {
    this.policy = policy;
    for (PathKind k : PathKind.values()) {
      paths.put(k, new PathState());
    }
  }

  /** A path opened (punch succeeded, WebSocket hello done, relay connection carries the peer). */
  public void up(PathKind kind, long now) {
    PathState s = paths.get(kind);
    if (!s.up) {
      s.up = true;
      s.upSince = now;
    }
    s.lastHeard = now;
  }

  /** Anything arrived from the peer on this path (data, ack, heartbeat answer). */
  public void heard(PathKind kind, long now, long rttMillis) {
    PathState s = paths.get(kind);
    if (!s.up) {
      up(kind, now);
    }
    s.lastHeard = now;
    if (rttMillis >= 0) {
      s.rttMillis = rttMillis;
    }
  }

  /** The path closed or failed (send retries ran out, the socket closed, the relay said gone). */
  public void down(PathKind kind, long now) {
    PathState s = paths.get(kind);
    s.up = false;
    s.rttMillis = -1;
  }

  private boolean healthy(PathKind kind, long now) {
    PathState s = paths.get(kind);
    if (!s.up) {
      return false;
    }
    return kind == PathKind.RELAYED || now - s.lastHeard <= DIRECT_SILENCE_MS;
  }

  /** The peer takes no direct link: from now on only the relayed path may carry its traffic. */
  public void peerForcesRelay() {
    peerForcesRelay = true;
  }

  private boolean allowed(PathKind kind) {
    if (peerForcesRelay && kind != PathKind.RELAYED) {
      return false;
    }
    return switch (policy) {
      case AUTO -> kind != PathKind.NONE;
      case FORCE_RELAY -> kind == PathKind.RELAYED;
      case DIRECT_ONLY -> kind.direct();
    };
  }

  /**
   * Re-evaluates and returns the path to send on now. Returns what changed through
   * {@link #active()} and {@link #reason()}.
   */
  public PathKind choose(long now) {
    PathKind bestDirect = null;
    for (PathKind k : new PathKind[] {PathKind.DIRECT_UDP, PathKind.DIRECT_TCP}) {
      if (allowed(k) && healthy(k, now)) {
        bestDirect = k;
        break;
      }
    }
    boolean relayOk = allowed(PathKind.RELAYED) && healthy(PathKind.RELAYED, now);
    PathKind next;
    String why;
    if (active.direct() && healthy(active, now) && allowed(active)) {
      // Stay on a working direct path; move UDP <-> TCP only when the better one is steady.
      if (bestDirect != null && bestDirect != active && steady(bestDirect, now)) {
        next = bestDirect;
        why = bestDirect.text() + " steady, preferred over " + active.text();
      } else {
        next = active;
        why = reason;
      }
    } else if (bestDirect != null && (active == PathKind.NONE || !relayOk || upgradeAllowed(bestDirect, now))) {
      next = bestDirect;
      why = active == PathKind.RELAYED ? "direct path steady again" : "direct path open";
    } else if (relayOk) {
      next = PathKind.RELAYED;
      why = policy == PathPolicy.FORCE_RELAY ? "force_relay policy" : peerForcesRelay ? "peer_force_relay"
          : active.direct() ? active.text() + " silent or failed" : bestDirect != null ? "direct path not yet steady"
              : "no direct path";
    } else {
      next = PathKind.NONE;
      why = policy == PathPolicy.DIRECT_ONLY ? "direct_only policy and no direct path"
          : peerForcesRelay ? "peer_force_relay and no relayed path" : "no working path";
    }
    if (active.direct() && !next.direct()) {
      lastDowngradeAt = now;
    }
    active = next;
    reason = why;
    return active;
  }

  private boolean steady(PathKind kind, long now) {
    return now - paths.get(kind).upSince >= UPGRADE_HOLD_MS;
  }

  private boolean upgradeAllowed(PathKind direct, long now) {
    return steady(direct, now) && now - lastDowngradeAt >= FLAP_HOLD_MS;
  }

  public PathKind active() {
    return active;
  }

  public String reason() {
    return reason;
  }

  public boolean isUp(PathKind kind) {
    return paths.get(kind).up;
  }

  public long rttMillis(PathKind kind) {
    return paths.get(kind).rttMillis;
  }

  /** When a direct path that is up goes silent (to re-check without waiting for traffic). */
  public long nextSilenceDeadline() {
    long d = Long.MAX_VALUE;
    for (PathKind k : new PathKind[] {PathKind.DIRECT_UDP, PathKind.DIRECT_TCP}) {
      PathState s = paths.get(k);
      if (s.up) {
        d = Math.min(d, s.lastHeard + DIRECT_SILENCE_MS + 1);
      }
    }
    return d;
  }
}
