package org.kinmesh.net;

import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;

/**
 * How long one TCP connection to a server may stay without finishing a request, how long it may
 * sit idle, and how many one source address may hold (docs/security.md). Read once from the
 * relay's or the node's config; {@link ConnectionGuard} enforces them.
 *
 * @param requestTimeoutMillis a new connection must deliver a request's headers, and then its body,
 *     each within this (a WebSocket upgrade too); otherwise it is closed
 * @param idleTimeoutMillis a connection with no byte either way for this long is closed
 * @param maxConnectionsPerIp connections one source address may hold open at once; more are
 *     closed as soon as they are accepted
 */
public record ServerLimits(long requestTimeoutMillis, long idleTimeoutMillis, int maxConnectionsPerIp) {

  public static final Set<String> CONFIG_KEYS = Set.of("http_request_timeout_secs", "http_idle_timeout_secs",
      "max_connections_per_ip");

  public ServerLimits {
    if (requestTimeoutMillis < 1 || idleTimeoutMillis < 1 || maxConnectionsPerIp < 1) {
      throw new IllegalArgumentException("server limits must be positive");
    }
  }

  /**
   * Reads the three keys; {@code minIdleSecs} keeps the idle timeout above what a live WebSocket
   * on that server stays silent for (heartbeats, pings), named in {@code why}.
   */
  public static ServerLimits read(ConfigReader r, ServerLimits defaults, long minIdleSecs, String why)
      throws ConfigException {
    long request = r.longValue("http_request_timeout_secs", defaults.requestTimeoutMillis() / 1000, 1, 600);
    long idle = r.longValue("http_idle_timeout_secs", defaults.idleTimeoutMillis() / 1000, 1, 86_400);
    if (idle < minIdleSecs) {
      throw new ConfigException("http_idle_timeout_secs", "must be at least " + minIdleSecs + " (" + why + "), got "
          + idle);
    }
    int perIp = (int) r.longValue("max_connections_per_ip", defaults.maxConnectionsPerIp(), 1, 1_000_000);
    return new ServerLimits(request * 1000, idle * 1000, perIp);
  }
}
