package org.kinmesh.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The standard birational map from an Ed25519 identity to its X25519 key (RFC 7748 §4.1:
 * u = (1 + y) / (1 - y); the private scalar is the clamped first half of SHA-512(seed), as
 * RFC 8032 derives the signing scalar), the same as libsodium's
 * crypto_sign_ed25519_{pk,sk}_to_curve25519. It lets a node know every member's session key
 * from the chain's list of Ed25519 keys alone (docs/security.md, "Session layer").
 */
public final class Ed25519ToX25519 {
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

  private Ed25519ToX25519() {}

  /**
   * The X25519 public key of an Ed25519 public key. Refuses keys that are not valid points of
   * the prime-order subgroup (small-order and non-canonical encodings included).
   */
  public static byte[] publicKey(byte[] ed25519PublicKey) {
    if (ed25519PublicKey.length != Ed25519.PUBLIC_KEY_BYTES
        || !org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(ed25519PublicKey, 0)) {
      throw new IllegalArgumentException("not a valid Ed25519 public key (32 bytes, a point of the prime-order group)");
    }
    byte[] be = reverse(ed25519PublicKey);
    be[0] &= 0x7f; // the sign bit of x
    BigInteger y = new BigInteger(1, be);
    BigInteger u = BigInteger.ONE.add(y).multiply(BigInteger.ONE.subtract(y).mod(P).modInverse(P)).mod(P);
    byte[] raw = u.toByteArray(); // big-endian, maybe with a leading zero byte
    byte[] out = new byte[32];
    for (int i = 0; i < 32 && i < raw.length; i++) {
      out[i] = raw[raw.length - 1 - i];
    }
    return out;
  }

  /** The X25519 private key of a 32-byte RFC 8032 seed (clamped per RFC 7748). */
  public static byte[] privateKey(byte[] ed25519Seed) {
    if (ed25519Seed.length != 32) {
      throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, not " + ed25519Seed.length);
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-512").digest(ed25519Seed);
      byte[] k = Arrays.copyOf(h, 32);
      Arrays.fill(h, (byte) 0);
      k[0] &= (byte) 248;
      k[31] &= 127;
      k[31] |= 64;
      return k;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-512", e);
    }
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }
}
