package org.kinmesh.node.link.udp;

import io.vertx.core.buffer.Buffer;

/**
 * Link frames on the node's UDP socket (kinmesh datagram types 0x20–0x24, docs/links.md §4).
 * Every frame starts {@code 0x4B 0x01 type} and an 8-byte session id: the random id of the
 * sending stream (DATA, PING), or of the stream it answers (ACK, PONG). A stream is one
 * {@link ReliableSender}; a receiver that sees a new session from the peer's path starts a new
 * stream at its {@code base} (the oldest fragment the sender still holds), so either side can
 * restart without a handshake, once the new session has been proven by a signed OPEN (so a
 * spoofed frame cannot replace a live stream). The rest is fixed-size fields, all bounded
 * before they are read.
 *
 * <pre>
 * DATA  0x20  session(8) seq(u32) base(u32) fragment(u16) fragments(u16) payload(0..MAX_FRAGMENT)
 * ACK   0x21  session(8) next_expected(u32) selective(u64: bit i = seq next_expected+1+i held)
 * PING  0x22  session(8) nonce(u64)
 * PONG  0x23  session(8) nonce(u64)     (session and nonce of the PING it answers)
 * OPEN  0x24  session(8) ts(u64 seconds) sig(64: Ed25519 of {@link SessionAuth#canonical})
 * </pre>
 */
public sealed interface LinkFrame {
  int TYPE_DATA = 0x20;
  int TYPE_ACK = 0x21;
  int TYPE_PING = 0x22;
  int TYPE_PONG = 0x23;
  int TYPE_OPEN = 0x24;
  /** Payload bytes per DATA frame: a DATA datagram stays under 1,200 bytes, like gossip. */
  int MAX_FRAGMENT = 1_160;
  /** 64 KiB messages → at most 57 fragments. */
  int MAX_FRAGMENTS = 64;
  int HEADER = 3 + 8;
  int DATA_HEADER = HEADER + 12;

  long session();

  Buffer encode();

  record Data(long session, long seq, long base, int fragment, int fragments, byte[] payload) implements LinkFrame {
    public Data {
      if (seq < 0 || seq > 0xFFFF_FFFFL || base < 0 || base > seq || fragments < 1 || fragments > MAX_FRAGMENTS || fragment < 0
          || fragment >= fragments || payload.length > MAX_FRAGMENT) {
        throw new IllegalArgumentException("bad DATA frame fields");
      }
    }

    @Override
    public Buffer encode() {
      return header(TYPE_DATA, session, DATA_HEADER + payload.length).appendUnsignedInt(seq).appendUnsignedInt(base)
          .appendUnsignedShort(fragment).appendUnsignedShort(fragments).appendBytes(payload);
    }

    /** The same fragment, stamped with the sender's current base. */
    public Data withBase(long newBase) {
      return newBase == base ? this : new Data(session, seq, newBase, fragment, fragments, payload);
    }
  }

  record Ack(long session, long nextExpected, long selective) implements LinkFrame {
    @Override
    public Buffer encode() {
      return header(TYPE_ACK, session, HEADER + 12).appendUnsignedInt(nextExpected).appendLong(selective);
    }
  }

  record Ping(long session, long nonce) implements LinkFrame {
    @Override
    public Buffer encode() {
      return header(TYPE_PING, session, HEADER + 8).appendLong(nonce);
    }
  }

  record Pong(long session, long nonce) implements LinkFrame {
    @Override
    public Buffer encode() {
      return header(TYPE_PONG, session, HEADER + 8).appendLong(nonce);
    }
  }

  /** The sender's proof that {@code session} is its new stream (signed, fresh); see {@link SessionAuth}. */
  record Open(long session, long ts, byte[] sig) implements LinkFrame {
    public static final int SIZE = HEADER + 8 + 64;

    public Open {
      if (ts < 0 || sig.length != 64) {
        throw new IllegalArgumentException("bad OPEN frame fields");
      }
    }

    @Override
    public Buffer encode() {
      return header(TYPE_OPEN, session, SIZE).appendLong(ts).appendBytes(sig);
    }
  }

  private static Buffer header(int type, long session, int size) {
    return Buffer.buffer(size).appendByte((byte) 0x4B).appendByte((byte) 0x01).appendByte((byte) type)
        .appendLong(session);
  }

  /** Parses one link datagram; a malformed one is an {@link IllegalArgumentException} with the reason. */
  static LinkFrame parse(Buffer b) {
    int n = b.length();
    if (n < HEADER || b.getByte(0) != 0x4B || b.getByte(1) != 0x01) {
      throw new IllegalArgumentException("not a link frame");
    }
    int type = b.getUnsignedByte(2);
    long session = b.getLong(3);
    switch (type) {
      case TYPE_DATA -> {
        if (n < DATA_HEADER || n - DATA_HEADER > MAX_FRAGMENT) {
          throw new IllegalArgumentException("DATA frame of " + n + " bytes");
        }
        long seq = b.getUnsignedInt(HEADER);
        long base = b.getUnsignedInt(HEADER + 4);
        int fragment = b.getUnsignedShort(HEADER + 8);
        int fragments = b.getUnsignedShort(HEADER + 10);
        if (fragments < 1 || fragments > MAX_FRAGMENTS || fragment >= fragments) {
          throw new IllegalArgumentException("fragment " + fragment + " of " + fragments);
        }
        if (base > seq) {
          throw new IllegalArgumentException("base " + base + " past seq " + seq);
        }
        return new Data(session, seq, base, fragment, fragments, b.getBytes(DATA_HEADER, n));
      }
      case TYPE_ACK -> {
        exact(n, HEADER + 12, "ACK");
        return new Ack(session, b.getUnsignedInt(HEADER), b.getLong(HEADER + 4));
      }
      case TYPE_PING -> {
        exact(n, HEADER + 8, "PING");
        return new Ping(session, b.getLong(HEADER));
      }
      case TYPE_PONG -> {
        exact(n, HEADER + 8, "PONG");
        return new Pong(session, b.getLong(HEADER));
      }
      case TYPE_OPEN -> {
        exact(n, Open.SIZE, "OPEN");
        long ts = b.getLong(HEADER);
        if (ts < 0) {
          throw new IllegalArgumentException("OPEN timestamp " + Long.toUnsignedString(ts));
        }
        return new Open(session, ts, b.getBytes(HEADER + 8, n));
      }
      default -> throw new IllegalArgumentException("unknown link frame type 0x" + Integer.toHexString(type));
    }
  }

  private static void exact(int n, int want, String what) {
    if (n != want) {
      throw new IllegalArgumentException(what + " frame of " + n + " bytes, expected " + want);
    }
  }
}
