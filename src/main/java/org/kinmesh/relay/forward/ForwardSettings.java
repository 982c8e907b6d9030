package org.kinmesh.relay.forward;

import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;

/**
 * Limits of relayed traffic, from the relay's config (docs/relay.md lists the keys; each can be
 * overridden by RELAY_ plus the key in upper case, e.g. RELAY_RELAYED_FRAMES_PER_SEC).
 *
 * @param framesPerSec frames a key may send per second (bursts up to one second's worth)
 * @param bytesPerSec payload bytes a key may send per second (bursts up to one second's worth;
 *     at least one maximal payload, so a single large frame can always pass)
 * @param queueBytes bytes the relay holds for one receiver that are not yet written to its socket
 * @param maxConnections relayed-traffic connections (open or in their handshake) the relay accepts
 * @param handshakeTimeoutMillis how long a connection may take to authenticate
 * @param pingIntervalMillis the relay pings every connection this often and closes one that
 *     sent nothing (not even a pong) for a whole interval
 */
public record ForwardSettings(int framesPerSec, long bytesPerSec, long queueBytes, int maxConnections,
    long handshakeTimeoutMillis, long pingIntervalMillis) {

  public static final Set<String> CONFIG_KEYS = Set.of("relayed_frames_per_sec", "relayed_bytes_per_sec",
      "relayed_queue_bytes", "relayed_max_connections", "relayed_handshake_timeout_secs", "relayed_ping_secs");

  public ForwardSettings {
    if (framesPerSec < 1 || bytesPerSec < RelayFrame.MAX_PAYLOAD_BYTES || queueBytes < RelayFrame.MAX_FRAME_BYTES
        || maxConnections < 1 || handshakeTimeoutMillis < 1 || pingIntervalMillis < 1) {
      throw new IllegalArgumentException("relayed-traffic limits out of range");
    }
  }

  public static ForwardSettings defaults() {
    return new ForwardSettings(1_000, 4L << 20, 1L << 20, 10_000, 10_000, 30_000);
  }

  public static ForwardSettings read(ConfigReader r) throws ConfigException {
    ForwardSettings d = defaults();
    int frames = (int) r.longValue("relayed_frames_per_sec", d.framesPerSec(), 1, 10_000_000);
    long bytes = r.longValue("relayed_bytes_per_sec", d.bytesPerSec(), RelayFrame.MAX_PAYLOAD_BYTES, 1L << 40);
    long queue = r.longValue("relayed_queue_bytes", d.queueBytes(), RelayFrame.MAX_FRAME_BYTES, 1L << 30);
    int conns = (int) r.longValue("relayed_max_connections", d.maxConnections(), 1, 1_000_000);
    long handshake = r.longValue("relayed_handshake_timeout_secs", d.handshakeTimeoutMillis() / 1000, 1, 60);
    long ping = r.longValue("relayed_ping_secs", d.pingIntervalMillis() / 1000, 1, 3_600);
    return new ForwardSettings(frames, bytes, queue, conns, handshake * 1000, ping * 1000);
  }

  public Handshake.Ready ready() {
    return new Handshake.Ready(RelayFrame.MAX_PAYLOAD_BYTES, framesPerSec, bytesPerSec, queueBytes);
  }
}
