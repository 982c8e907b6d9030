package org.kinmesh.crypto;

import com.google.crypto.tink.subtle.Ed25519Verify;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The signature rule of PROTOCOL.md §1: Ed25519 over SHA-256 of the canonical message.
 * Verification is stateless and thread-safe.
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
    try {
      new Ed25519Verify(publicKey).verify(signature, sha256(canonicalMessage));
      return true;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
