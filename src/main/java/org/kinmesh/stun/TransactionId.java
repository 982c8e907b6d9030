package org.kinmesh.stun;

import java.security.SecureRandom;

/** A 96-bit STUN transaction ID, kept as two numbers so it is cheap to compare and hash. */
public record TransactionId(int high, long low) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh ID from SecureRandom: an off-path attacker must not guess the next one. */
  public static TransactionId random() {
    return new TransactionId(RANDOM.nextInt(), RANDOM.nextLong());
  }

  public static TransactionId of(byte[] b, int off) {
    int high = (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    long low = 0;
    for (int i = 4; i < 12; i++) {
      low = low << 8 | (b[off + i] & 0xFF);
    }
    return new TransactionId(high, low);
  }

  public byte[] bytes() {
    byte[] out = new byte[12];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    for (int i = 0; i < 4; i++) {
      out[off + i] = (byte) (high >>> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
      out[off + 4 + i] = (byte) (low >>> (56 - 8 * i));
    }
  }

  @Override
  public String toString() {
    return String.format("%08x%016x", high, low);
  }
}
