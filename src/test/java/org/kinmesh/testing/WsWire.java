package org.kinmesh.testing;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 by hand, for tests that need a WebSocket peer which is otherwise dead: one that
 * never answers a ping (Vert.x and Netty always do). Frames are unfragmented, one per call.
 */
public final class WsWire {
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WsWire() {}

  /** A frame as read: opcode and payload. */
  public record Frame(int opcode, Buffer payload) {
    public String text() {
      return payload.toString(StandardCharsets.UTF_8);
    }
  }

  public static String upgradeRequest(String host, int port, String path, String key) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  public static String newKey() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  public static String acceptFor(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A header of an HTTP head (request or response), by case-insensitive name; fails the test if absent. */
  public static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    throw new AssertionError("no " + name + " in the HTTP head");
  }

  public static String upgradeResponse(String key) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + acceptFor(key) + "\r\n\r\n";
  }

  /** One final frame; clients must mask, servers must not. */
  public static Buffer frame(int opcode, byte[] payload, boolean masked) {
    Buffer b = Buffer.buffer().appendByte((byte) (0x80 | opcode));
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      b.appendByte((byte) (maskBit | payload.length));
    } else if (payload.length < 65_536) {
      b.appendByte((byte) (maskBit | 126)).appendUnsignedShort(payload.length);
    } else {
      b.appendByte((byte) (maskBit | 127)).appendLong(payload.length);
    }
    if (!masked) {
      return b.appendBytes(payload);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    b.appendBytes(mask);
    byte[] out = new byte[payload.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return b.appendBytes(out);
  }

  public static Buffer text(String s, boolean masked) {
    return frame(TEXT, s.getBytes(StandardCharsets.UTF_8), masked);
  }

  /**
   * Reads bytes as they arrive: first the HTTP head (up to the blank line), then frames.
   * Not thread-safe; feed it from one socket's handler.
   */
  public static final class Reader {
    private Buffer pending = Buffer.buffer();
    private String head;

    public void feed(Buffer bytes) {
      pending.appendBuffer(bytes);
    }

    /** The HTTP head once it has fully arrived, else null. */
    public String head() {
      if (head == null) {
        String s = pending.toString(StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
          return null;
        }
        head = s.substring(0, end);
        pending = pending.getBuffer(end + 4, pending.length());
      }
      return head;
    }

    /** The next complete frame, unmasking if needed, else null. */
    public Frame next() {
      if (pending.length() < 2) {
        return null;
      }
      int opcode = pending.getByte(0) & 0x0f;
      boolean masked = (pending.getByte(1) & 0x80) != 0;
      long len = pending.getByte(1) & 0x7f;
      int pos = 2;
      if (len == 126) {
        if (pending.length() < 4) {
          return null;
        }
        len = pending.getUnsignedShort(2);
        pos = 4;
      } else if (len == 127) {
        if (pending.length() < 10) {
          return null;
        }
        len = pending.getLong(2);
        pos = 10;
      }
      int maskAt = pos;
      if (masked) {
        pos += 4;
      }
      if (pending.length() < pos + len) {
        return null;
      }
      byte[] payload = pending.getBytes(pos, (int) (pos + len));
      if (masked) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= pending.getByte(maskAt + (i & 3));
        }
      }
      pending = pending.getBuffer((int) (pos + len), pending.length());
      return new Frame(opcode, Buffer.buffer(payload));
    }
  }
}
