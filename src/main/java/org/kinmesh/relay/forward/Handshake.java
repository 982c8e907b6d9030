package org.kinmesh.relay.forward;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/**
 * The two text frames the relay sends during the connect handshake (docs/relay.md):
 * {"type":"challenge","nonce"} right after the upgrade, and {"type":"ready", limits...} once
 * the node's {@link ConnectAuth} has been accepted.
 */
public final class Handshake {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_BYTES = 1_024;

  private Handshake() {}

  /** What the relay tells a node once it is connected. */
  public record Ready(int maxPayloadBytes, int framesPerSec, long bytesPerSec, long queueBytes) {}

  public static String newNonce() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Hex.encode(b);
  }

  public static String challenge(String nonce) {
    return new JsonObject().put("type", "challenge").put("nonce", nonce).encode();
  }

  public static String parseChallenge(String text) throws WireException {
    StrictJson j = StrictJson.parse(text.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
    if (!"challenge".equals(j.requireString("type"))) {
      throw WireException.malformed("expected a challenge frame");
    }
    String nonce = j.requireString("nonce");
    if (!Hex.isLowerHex(nonce, 32)) {
      throw WireException.malformed("field 'nonce' must be 64 lowercase hex characters");
    }
    return nonce;
  }

  public static String ready(Ready r) {
    return new JsonObject().put("type", "ready").put("max_payload_bytes", r.maxPayloadBytes())
        .put("frames_per_sec", r.framesPerSec()).put("bytes_per_sec", r.bytesPerSec())
        .put("queue_bytes", r.queueBytes()).encode();
  }

  public static Ready parseReady(String text) throws WireException {
    StrictJson j = StrictJson.parse(text.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
    if (!"ready".equals(j.requireString("type"))) {
      throw WireException.malformed("expected a ready frame");
    }
    long max = j.requireLong("max_payload_bytes");
    long frames = j.requireLong("frames_per_sec");
    long bytes = j.requireLong("bytes_per_sec");
    long queue = j.requireLong("queue_bytes");
    if (max < 1 || max > RelayFrame.MAX_PAYLOAD_BYTES || frames < 1 || frames > Integer.MAX_VALUE || bytes < 1
        || queue < 1) {
      throw WireException.malformed("ready frame limits out of range");
    }
    return new Ready((int) max, (int) frames, bytes, queue);
  }
}
