package org.kinmesh.crypto.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/** An X25519 key pair (spec §4.1, DH = X25519). {@link #toString()} never shows the private key. */
public final class KeyPair25519 {
  public static final int KEY_BYTES = 32;

  private final byte[] privateKey;
  private final byte[] publicKey;

  private KeyPair25519(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKey = new byte[KEY_BYTES];
    X25519.scalarMultBase(privateKey, 0, publicKey, 0);
  }

  public static KeyPair25519 generate(SecureRandom random) {
    byte[] k = new byte[KEY_BYTES];
    X25519.generatePrivateKey(random, k);
    return new KeyPair25519(k);
  }

  /** From a 32-byte X25519 private key (test vectors, keys derived from an identity); copied. */
  public static KeyPair25519 fromPrivate(byte[] privateKey) {
    if (privateKey.length != KEY_BYTES) {
      throw new IllegalArgumentException("an X25519 private key is 32 bytes, not " + privateKey.length);
    }
    return new KeyPair25519(privateKey.clone());
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** DH(this, remotePublic); refuses the all-zero output of a small-order remote point. */
  public byte[] dh(byte[] remotePublic) throws NoiseException {
    byte[] out = new byte[KEY_BYTES];
    if (!X25519.calculateAgreement(privateKey, 0, remotePublic, 0, out, 0)) {
      throw new NoiseException(NoiseException.Reason.WEAK_KEY, "the peer's X25519 key has small order");
    }
    return out;
  }

  /** Overwrites the private key (an ephemeral, once the handshake is done). */
  void destroy() {
    Arrays.fill(privateKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "KeyPair25519[public=" + org.kinmesh.crypto.Hex.encode(publicKey) + "]";
  }
}
