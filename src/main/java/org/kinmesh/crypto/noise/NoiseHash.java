package org.kinmesh.crypto.noise;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The Noise hash functions (spec §4.3) with the HMAC and HKDF built on them (§4.3, §5.2). Both
 * have HASHLEN 32 and BLOCKLEN 64. SHA-256 is the JDK's (hardware-accelerated where the CPU has
 * it); BLAKE2s is Bouncy Castle's. Only the handshake hashes: transport frames use the AEAD alone.
 */
public enum NoiseHash {
  SHA256("SHA256"),
  BLAKE2S("BLAKE2s");

  public static final int HASHLEN = 32;
  static final int BLOCKLEN = 64;

  // One digest per thread: a handshake hashes ~50 times, and MessageDigest.getInstance's
  // provider lookup cost more than the SHA-NI hashing itself.
  private static final ThreadLocal<MessageDigest> SHA256_DIGEST = ThreadLocal.withInitial(NoiseHash::sha256);
  private static final ThreadLocal<Blake2sDigest> BLAKE2S_DIGEST = ThreadLocal.withInitial(() -> new Blake2sDigest(256));

  private final String noiseName;

  NoiseHash(String noiseName) {
    this.noiseName = noiseName;
  }

  /** The name used in a Noise protocol name, e.g. {@code SHA256}. */
  public String noiseName() {
    return noiseName;
  }

  /** HASH(parts[0] || parts[1] || ...). */
  public byte[] hash(byte[]... parts) {
    if (this == SHA256) {
      MessageDigest md = SHA256_DIGEST.get(); // digest() resets it
      for (byte[] p : parts) {
        md.update(p);
      }
      return md.digest();
    }
    Blake2sDigest d = BLAKE2S_DIGEST.get(); // doFinal() resets it
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[HASHLEN];
    d.doFinal(out, 0);
    return out;
  }

  /** HMAC-HASH(key, parts...) per RFC 2104 (keys here are never longer than a block). */
  byte[] hmac(byte[] key, byte[]... parts) {
    byte[] k = key.length > BLOCKLEN ? hash(key) : key;
    byte[] ipad = new byte[BLOCKLEN];
    byte[] opad = new byte[BLOCKLEN];
    for (int i = 0; i < BLOCKLEN; i++) {
      byte b = i < k.length ? k[i] : 0;
      ipad[i] = (byte) (b ^ 0x36);
      opad[i] = (byte) (b ^ 0x5c);
    }
    byte[][] inner = new byte[parts.length + 1][];
    inner[0] = ipad;
    System.arraycopy(parts, 0, inner, 1, parts.length);
    return hash(opad, hash(inner));
  }

  /** HKDF(chainingKey, ikm, n) for n = 2 or 3 (spec §4.3): n outputs of HASHLEN bytes. */
  byte[][] hkdf(byte[] chainingKey, byte[] ikm, int n) {
    if (n != 2 && n != 3) {
      throw new IllegalArgumentException("HKDF makes 2 or 3 outputs, not " + n);
    }
    byte[] temp = hmac(chainingKey, ikm);
    byte[][] out = new byte[n][];
    out[0] = hmac(temp, new byte[] {1});
    out[1] = hmac(temp, out[0], new byte[] {2});
    if (n == 3) {
      out[2] = hmac(temp, out[1], new byte[] {3});
    }
    Arrays.fill(temp, (byte) 0);
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
