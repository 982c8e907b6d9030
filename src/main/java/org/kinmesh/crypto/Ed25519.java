package org.kinmesh.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The signature rule of PROTOCOL.md §1: Ed25519 over SHA-256 of the canonical message.
 * Verification is stateless and thread-safe.
 *
 * <p>Keys and signatures are made with Tink ({@link Identity}); verification uses Bouncy Castle's
 * RFC 8032 code, 2.3-2.8 times faster than Tink's on the same machine (BENCHMARKS.md), which
 * matters because every node checks every transaction and every vote. Both are cofactorless RFC 8032
 * verifiers; Bouncy Castle is the stricter one (it also refuses small-order public keys, which Tink
 * accepts, and non-canonical point encodings), and {@code Ed25519CrossCheckTest} pins that it never accepts what Tink
 * refuses.
 */
public final class Ed25519 {
  public static final int PUBLIC_KEY_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;

  private Ed25519() {}

  public static byte[] sha256(byte[] message) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /** Verifies a hex signature by a hex public key over canonical message bytes. Never throws on bad input. */
  public static boolean verify(String publicKeyHex, String signatureHex, byte[] canonicalMessage) {
    if (!Hex.isLowerHex(publicKeyHex, PUBLIC_KEY_BYTES) || !Hex.isLowerHex(signatureHex, SIGNATURE_BYTES)) {
      return false;
    }
    return verify(Hex.decode(publicKeyHex), Hex.decode(signatureHex), canonicalMessage);
  }

  public static boolean verify(byte[] publicKey, byte[] signature, byte[] canonicalMessage) {
    if (publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
      return false;
    }
    byte[] digest = sha256(canonicalMessage);
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, digest, 0, digest.length);
  }
}
