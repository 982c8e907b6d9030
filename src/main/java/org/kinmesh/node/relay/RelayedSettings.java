package org.kinmesh.node.relay;

import org.kinmesh.net.Backoff;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.wire.WireRules;

/**
 * How the node keeps its relayed-traffic connection. Times in milliseconds so tests can run
 * the loop quickly.
 *
 * @param reconnect delays between failed tries (1, 2, 4, ... 30 s)
 * @param stableMillis a connection that stayed up this long resets the backoff when it ends;
 *     one that ends sooner counts as a failure (so two processes with one key, each replacing
 *     the other, back off instead of flapping every second)
 * @param pingIntervalMillis the node pings the relay this often, and gives the connection up
 *     when nothing (not even a pong) came back for a whole interval
 * @param sendQueueBytes bytes of frames handed to the socket and not yet written; a send past it
 *     is refused (queue_full)
 */
public record RelayedSettings(String relayUrl, String blockchainId, Backoff reconnect, long stableMillis,
    long connectTimeoutMillis, long handshakeTimeoutMillis, long pingIntervalMillis, long sendQueueBytes) {

  public RelayedSettings {
    org.kinmesh.relay.client.RelayHttpClient.parseBase(relayUrl);
    if (!WireRules.isBlockchainId(blockchainId)) {
      throw new IllegalArgumentException("bad blockchain id");
    }
    if (stableMillis < 0 || connectTimeoutMillis < 1 || handshakeTimeoutMillis < 1 || pingIntervalMillis < 1
        || sendQueueBytes < org.kinmesh.relay.forward.RelayFrame.MAX_FRAME_BYTES) {
      throw new IllegalArgumentException("relayed connection timings out of range");
    }
  }

  /** The design's numbers: backoff 1 … 30 s, connect 30 s, handshake 10 s, ping every 25 s; 4 MiB send queue. */
  public static RelayedSettings defaults(String relayUrl, String blockchainId) {
    return new RelayedSettings(relayUrl, blockchainId, Backoff.DEFAULT, 30_000, 30_000, 10_000, 25_000, 4L << 20);
  }

  public static RelayedSettings fromConfig(NodeConfig config, String blockchainId) {
    return defaults(config.relayUrl(), blockchainId);
  }
}
