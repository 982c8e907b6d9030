package org.kinmesh.relay.forward;

import io.vertx.core.buffer.Buffer;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.WireException;

/**
 * The binary data frames of relayed traffic (docs/relay.md, "Relayed traffic"): one type byte,
 * a 32-byte public key, then the rest. The relay reads only the first 33 bytes of a frame; the
 * payload is opaque to it. Shared by the relay and the node's relayed connection.
 *
 * <pre>
 * SEND           node to relay   0x01 | to   (32) | payload (0..65,536 bytes)
 * DELIVER        relay to node   0x02 | from (32) | payload
 * UNDELIVERABLE  relay to node   0x03 | to   (32) | reason (1 byte)
 * </pre>
 */
public final class RelayFrame {
  /** The WebSocket path on the relay's HTTP port. */
  public static final String PATH = "/relay/v1/connect";
  public static final byte SEND = 0x01;
  public static final byte DELIVER = 0x02;
  public static final byte UNDELIVERABLE = 0x03;
  public static final int KEY_BYTES = 32;
  public static final int HEADER_BYTES = 1 + KEY_BYTES;
  /** 64 KiB: any payload that fits a link data frame (docs/links.md) fits here. */
  public static final int MAX_PAYLOAD_BYTES = 65_536;
  public static final int MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES;
  public static final int UNDELIVERABLE_BYTES = HEADER_BYTES + 1;
  /**
   * WebSocket frame and message cap given to Netty on both ends: a frame between
   * MAX_FRAME_BYTES and this is read, refused (too_large) and counted, and the connection
   * stays; anything larger is cut by Netty, which closes the connection (1009).
   */
  public static final int HARD_CAP_BYTES = 2 * MAX_FRAME_BYTES;

  private RelayFrame() {}

  public static Buffer send(byte[] to, byte[] payload) {
    return frame(SEND, to, payload);
  }

  public static Buffer deliver(byte[] from, byte[] payload) {
    return frame(DELIVER, from, payload);
  }

  public static Buffer undeliverable(byte[] to, Undeliverable reason) {
    checkKey(to);
    return Buffer.buffer(UNDELIVERABLE_BYTES).appendByte(UNDELIVERABLE).appendBytes(to).appendByte(reason.wire());
  }

  private static Buffer frame(byte type, byte[] key, byte[] payload) {
    checkKey(key);
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload over " + MAX_PAYLOAD_BYTES + " bytes");
    }
    return Buffer.buffer(HEADER_BYTES + payload.length).appendByte(type).appendBytes(key).appendBytes(payload);
  }

  private static void checkKey(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a public key is " + KEY_BYTES + " bytes");
    }
  }

  /** A frame from the relay, as the node reads it. */
  public record Inbound(byte type, String key, byte[] payload, Undeliverable reason) {}

  /**
   * Parses a DELIVER or UNDELIVERABLE frame (the node's side). Anything else, a short frame, a
   * payload over the limit or an unknown reason is malformed (or too_large); nothing is
   * returned half-read.
   */
  public static Inbound parseInbound(Buffer frame) throws WireException {
    int len = frame.length();
    if (len < HEADER_BYTES) {
      throw WireException.malformed("relay frame shorter than its " + HEADER_BYTES + "-byte header");
    }
    byte type = frame.getByte(0);
    String key = Hex.encode(frame.getBytes(1, HEADER_BYTES));
    if (type == DELIVER) {
      if (len > MAX_FRAME_BYTES) {
        throw new WireException(org.kinmesh.wire.ErrorCode.TOO_LARGE, "payload over " + MAX_PAYLOAD_BYTES + " bytes");
      }
      return new Inbound(type, key, frame.getBytes(HEADER_BYTES, len), null);
    }
    if (type == UNDELIVERABLE) {
      if (len != UNDELIVERABLE_BYTES) {
        throw WireException.malformed("undeliverable frame must be " + UNDELIVERABLE_BYTES + " bytes");
      }
      Undeliverable reason = Undeliverable.fromWire(frame.getByte(HEADER_BYTES));
      if (reason == null) {
        throw WireException.malformed("unknown undeliverable reason " + (frame.getByte(HEADER_BYTES) & 0xff));
      }
      return new Inbound(type, key, null, reason);
    }
    throw WireException.malformed("unknown relay frame type " + (type & 0xff));
  }
}
