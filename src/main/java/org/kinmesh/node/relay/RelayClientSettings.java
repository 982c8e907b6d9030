package org.kinmesh.node.relay;

import org.kinmesh.net.Backoff;
import org.kinmesh.net.RetryPolicy;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * What the relay client needs: where the relay is, which chain, what endpoint to publish and
 * how often. Intervals are in milliseconds so tests can run the loop quickly.
 *
 * @param registerBackoff delays between failed registration tries (1, 2, 4, ... 30 s)
 * @param lookupRetry tries and delays for one lookup (3 tries for a relay operation)
 */
public record RelayClientSettings(String relayUrl, String blockchainId, long registerIntervalMillis,
    String publishIp, int publishPort, Backoff registerBackoff, RetryPolicy lookupRetry, boolean followStun) {

  /** Settings that always publish the given endpoint. */
  public RelayClientSettings(String relayUrl, String blockchainId, long registerIntervalMillis, String publishIp,
      int publishPort, Backoff registerBackoff, RetryPolicy lookupRetry) {
    this(relayUrl, blockchainId, registerIntervalMillis, publishIp, publishPort, registerBackoff, lookupRetry, false);
  }

  public RelayClientSettings {
    if (registerIntervalMillis < 1) {
      throw new IllegalArgumentException("register interval must be positive");
    }
    if (publishPort < 1 || publishPort > 65_535) {
      throw new IllegalArgumentException("publish port out of range: " + publishPort);
    }
  }

  /**
   * From the node config: the first advertise endpoint, else 127.0.0.1 and the port the node's
   * links listen on (known only after LinksVerticle has bound it) until STUN finds the public
   * endpoint, which then replaces it.
   */
  public static RelayClientSettings fromConfig(NodeConfig config, String blockchainId, int linkPort) {
    Endpoint publish = config.advertiseEndpoints().isEmpty() ? new Endpoint("127.0.0.1", linkPort)
        : config.advertiseEndpoints().get(0);
    return new RelayClientSettings(config.relayUrl(), blockchainId, config.intervals().relayRegisterSecs() * 1000L,
        publish.ip(), publish.port(), Backoff.DEFAULT, RetryPolicy.RELAY, config.advertiseEndpoints().isEmpty());
  }
}
