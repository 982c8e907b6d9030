package org.kinmesh.crypto.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/** Noise SymmetricState (spec §5.2): chaining key ck, handshake hash h, and a CipherState. */
final class SymmetricState {
  private final NoiseHash hash;
  private final CipherState cipher = new CipherState();
  private byte[] ck;
  private byte[] h;

  SymmetricState(NoiseHash hash, String protocolName) {
    this.hash = hash;
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    h = name.length <= NoiseHash.HASHLEN ? Arrays.copyOf(name, NoiseHash.HASHLEN) : hash.hash(name);
    ck = h.clone();
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hash.hkdf(ck, ikm, 2);
    ck = out[0];
    cipher.initializeKey(Arrays.copyOf(out[1], CipherState.KEY_BYTES));
    Arrays.fill(out[1], (byte) 0);
  }

  void mixHash(byte[] data) {
    h = hash.hash(h, data);
  }

  boolean hasKey() {
    return cipher.hasKey();
  }

  byte[] encryptAndHash(byte[] plaintext) {
    byte[] c = cipher.encryptWithAd(h, plaintext);
    mixHash(c);
    return c;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws AEADBadTagException {
    byte[] p = cipher.decryptWithAd(h, ciphertext);
    mixHash(ciphertext);
    return p;
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  /** Split() (spec §5.2): the initiator's sending CipherState first. */
  CipherState[] split() {
    byte[][] out = hash.hkdf(ck, new byte[0], 2);
    CipherState c1 = new CipherState();
    CipherState c2 = new CipherState();
    c1.initializeKey(out[0]);
    c2.initializeKey(out[1]);
    Arrays.fill(out[0], (byte) 0);
    Arrays.fill(out[1], (byte) 0);
    Arrays.fill(ck, (byte) 0);
    cipher.destroy();
    return new CipherState[] {c1, c2};
  }
}
