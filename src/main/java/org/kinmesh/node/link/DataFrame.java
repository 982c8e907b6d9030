package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/** Frames after the handshake: {"type":"ready"} once from the acceptor, then {"payload": string} each way. */
final class DataFrame {
  static final String READY = new JsonObject().put("type", "ready").encode();

  private DataFrame() {}

  static String encode(String payload) {
    return new JsonObject().put("payload", payload).encode();
  }

  /** Whether a frame's UTF-8 size is within the limit; checked before it is parsed or sent. */

  static boolean fits(String frame, int maxBytes) {
    return frame.length() <= maxBytes && (frame.length() * 3 <= maxBytes
        || frame.getBytes(StandardCharsets.UTF_8).length <= maxBytes);
  }

  static String payload(String frame, int maxBytes) throws WireException {
    if (!fits(frame, maxBytes)) {
      throw new WireException(ErrorCode.TOO_LARGE, "frame over " + maxBytes + " bytes");
    }
    return StrictJson.parse(frame.getBytes(StandardCharsets.UTF_8), maxBytes).requireString("payload");
  }

  static boolean isReady(String frame) {
    try {
      return "ready".equals(StrictJson.parse(frame.getBytes(StandardCharsets.UTF_8), 1_024).requireString("type"));
    } catch (WireException e) {
      return false;
    }
  }
}
