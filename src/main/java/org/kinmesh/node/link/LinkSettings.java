package org.kinmesh.node.link;

import org.kinmesh.net.Backoff;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.wire.WireRules;

/**
 * How the links verticle listens, dials and bounds its peers.
 *
 * @param listenHost interface to bind (0.0.0.0 in production, 127.0.0.1 in tests)
 * @param port TCP port, 0 for any (then read {@link LinksVerticle#boundPort()})
 * @param retryBackoff delay between failed dials to one peer (1, 2, 4 ... 30 s)
 * @param breakerCoolDown how long an open circuit waits before a half-open probe
 * @param breakerThreshold consecutive failures that open a peer's circuit
 * @param heartbeatMillis how often an open TCP link pings its peer (jittered ± 10 %)
 * @param silentCloseMillis an open TCP link that heard nothing (no frame, no pong) for this long
 *     is closed (1001 silent); at least two heartbeats, so a healthy idle link never is
 * @param serverLimits the link port's upgrade deadline, idle timeout and per-address cap
 *     (docs/security.md); the idle timeout is above the heartbeat, so a live link never meets it
 */
public record LinkSettings(String blockchainId, String listenHost, int port, long lookupCacheMillis,
    Backoff retryBackoff, Backoff breakerCoolDown, int breakerThreshold, long handshakeTimeoutMillis,
    long connectTimeoutMillis, long lookupTimeoutMillis, int maxFrameBytes, int ratePerSec, long freshnessSecs,
    long heartbeatMillis, long silentCloseMillis, org.kinmesh.net.ServerLimits serverLimits) {
  /** How far a hello's timestamp may be from our clock (PROTOCOL.md: 300 s, as the relay's). */
  public static final long FRESHNESS_SECS = 300;


  public static final String PATH = "/kinmesh/link/v1";
  public static final String CHALLENGE_HEADER = "X-Kinmesh-Challenge";
  /** Ten heartbeats: well past the 7 s after which traffic has moved to another path. */
  public static final long DEFAULT_SILENT_CLOSE_MS = 30_000;

  public LinkSettings {
    if (!WireRules.isBlockchainId(blockchainId)) {
      throw new IllegalArgumentException("bad blockchain id");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (heartbeatMillis <= 0) {
      throw new IllegalArgumentException("heartbeat interval must be positive: " + heartbeatMillis + " ms");
    }
    if (silentCloseMillis <= 0) {
      throw new IllegalArgumentException("silence before closing a link must be positive: " + silentCloseMillis
          + " ms");
    }
    if (serverLimits.idleTimeoutMillis() <= heartbeatMillis) {
      throw new IllegalArgumentException("the link port's idle timeout (" + serverLimits.idleTimeoutMillis()
          + " ms) must be above the heartbeat (" + heartbeatMillis + " ms)");
    }
    if (silentCloseMillis < 2 * heartbeatMillis) {
      throw new IllegalArgumentException("silence before closing a link (" + silentCloseMillis
          + " ms) must be at least two heartbeats (" + 2 * heartbeatMillis + " ms)");
    }
  }

  /** Production defaults of the design (ARCHITECTURE.md "Errors and limits"). */
  public static LinkSettings defaults(String blockchainId, String listenHost, int port) {
    return new LinkSettings(blockchainId, listenHost, port, 420_000, Backoff.DEFAULT, new Backoff(30_000, 300_000), 5,
        10_000, 30_000, 35_000, WireRules.MAX_MESSAGE_BYTES, 100, FRESHNESS_SECS, PathSelector.HEARTBEAT_MS,
        DEFAULT_SILENT_CLOSE_MS, NodeConfig.DEFAULT_SERVER_LIMITS);
  }

  public static LinkSettings fromConfig(NodeConfig config, String blockchainId, String listenHost, int port) {
    LinkSettings d = defaults(blockchainId, listenHost, port);
    return d.withRetry(new Backoff(1_000, config.intervals().peerRetryMaxSecs() * 1000L), d.breakerCoolDown())
        .withLookupCache(config.intervals().lookupCacheSecs() * 1000L).withServerLimits(config.serverLimits());
  }

  public LinkSettings withServerLimits(org.kinmesh.net.ServerLimits limits) {
    return new LinkSettings(blockchainId, listenHost, port, lookupCacheMillis, retryBackoff, breakerCoolDown,
        breakerThreshold, handshakeTimeoutMillis, connectTimeoutMillis, lookupTimeoutMillis, maxFrameBytes, ratePerSec,
        freshnessSecs, heartbeatMillis, silentCloseMillis, limits);
  }

  public LinkSettings withRetry(Backoff retry, Backoff coolDown) {
    return new LinkSettings(blockchainId, listenHost, port, lookupCacheMillis, retry, coolDown, breakerThreshold,
        handshakeTimeoutMillis, connectTimeoutMillis, lookupTimeoutMillis, maxFrameBytes, ratePerSec, freshnessSecs,
        heartbeatMillis, silentCloseMillis, serverLimits);
  }

  public LinkSettings withLookupCache(long millis) {
    return new LinkSettings(blockchainId, listenHost, port, millis, retryBackoff, breakerCoolDown, breakerThreshold,
        handshakeTimeoutMillis, connectTimeoutMillis, lookupTimeoutMillis, maxFrameBytes, ratePerSec, freshnessSecs,
        heartbeatMillis, silentCloseMillis, serverLimits);
  }

  public LinkSettings withRate(int perSec) {
    return new LinkSettings(blockchainId, listenHost, port, lookupCacheMillis, retryBackoff, breakerCoolDown,
        breakerThreshold, handshakeTimeoutMillis, connectTimeoutMillis, lookupTimeoutMillis, maxFrameBytes, perSec,
        freshnessSecs, heartbeatMillis, silentCloseMillis, serverLimits);
  }

  /** Heartbeat interval and the silence after which an open TCP link is closed. */
  public LinkSettings withHeartbeats(long heartbeat, long silentClose) {
    return new LinkSettings(blockchainId, listenHost, port, lookupCacheMillis, retryBackoff, breakerCoolDown,
        breakerThreshold, handshakeTimeoutMillis, connectTimeoutMillis, lookupTimeoutMillis, maxFrameBytes, ratePerSec,
        freshnessSecs, heartbeat, silentClose, serverLimits);
  }
}
