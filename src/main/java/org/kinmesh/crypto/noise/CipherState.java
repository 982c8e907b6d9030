package org.kinmesh.crypto.noise;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise CipherState (spec §5.1) over the JDK's ChaCha20-Poly1305 (§12.3: the 96-bit nonce is
 * 32 zero bits and the 64-bit counter little-endian). Not thread-safe: one per direction, used
 * by one thread at a time. The counter is unsigned 64-bit; 2^64-1 is reserved for rekey.
 */
public final class CipherState {
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;
  private static final long MAX_NONCE = -1L; // 2^64 - 1 as unsigned

  private final Cipher cipher;
  private final byte[] nonceBytes = new byte[12];
  private byte[] key;
  private SecretKeySpec keySpec;
  private long n;
  private long lastDecryptNonce = -2; // never a nonce: 2^64-2 is past every limit

  CipherState() {
    try {
      cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK without ChaCha20-Poly1305", e);
    }
  }

  void initializeKey(byte[] k) {
    key = k == null ? null : Arrays.copyOf(k, KEY_BYTES);
    keySpec = key == null ? null : new SecretKeySpec(key, "ChaCha20");
    n = 0;
  }

  boolean hasKey() {
    return key != null;
  }

  void setNonce(long nonce) {
    n = nonce;
  }

  /** ENCRYPT(k, n++, ad, plaintext); the plaintext itself when there is no key yet. */
  byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
    if (!hasKey()) {
      return plaintext.clone();
    }
    checkNonce(n);
    byte[] out = new byte[plaintext.length + TAG_BYTES];
    seal(n, ad, plaintext, 0, plaintext.length, out, 0);
    n++;
    return out;
  }

  /** DECRYPT(k, n, ad, ciphertext); n advances only when the tag verifies. */
  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws AEADBadTagException {
    if (!hasKey()) {
      return ciphertext.clone();
    }
    checkNonce(n);
    if (ciphertext.length < TAG_BYTES) {
      throw new AEADBadTagException("ciphertext shorter than its tag");
    }
    byte[] out = new byte[ciphertext.length - TAG_BYTES];
    open(n, ad, ciphertext, 0, ciphertext.length, out, 0);
    n++;
    return out;
  }

  /**
   * Encrypts with an explicit nonce (transport frames carry theirs); writes len + 16 bytes.
   * The caller guarantees each nonce is used once.
   */
  public void seal(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) {
    requireKey();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, keySpec, nonceSpec(nonce));
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      cipher.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /** Decrypts with an explicit nonce; writes len - 16 bytes; throws when the tag fails. */
  public void open(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    requireKey();
    try {
      if (lastDecryptNonce == nonce) {
        // The JDK (17) refuses to re-init with the previous key and nonce, even to decrypt; a
        // forged frame with a live counter must not stop the real one from opening, so step aside.
        cipher.init(Cipher.DECRYPT_MODE, keySpec, nonceSpec(nonce ^ 1));
      }
      lastDecryptNonce = nonce;
      cipher.init(Cipher.DECRYPT_MODE, keySpec, nonceSpec(nonce));
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      cipher.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  /** REKEY(k) (spec §4.2): the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes). */
  public void rekey() {
    requireKey();
    byte[] out = new byte[KEY_BYTES + TAG_BYTES];
    seal(MAX_NONCE, new byte[0], new byte[KEY_BYTES], 0, KEY_BYTES, out, 0);
    long keep = n;
    Arrays.fill(key, (byte) 0);
    initializeKey(Arrays.copyOf(out, KEY_BYTES));
    n = keep;
  }

  /** Zeroes the key; the CipherState cannot be used again. */
  public void destroy() {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
    key = null;
    keySpec = null;
  }

  private IvParameterSpec nonceSpec(long nonce) {
    for (int i = 0; i < 8; i++) {
      nonceBytes[4 + i] = (byte) (nonce >>> (8 * i));
    }
    return new IvParameterSpec(nonceBytes);
  }

  private void requireKey() {
    if (!hasKey()) {
      throw new IllegalStateException("CipherState has no key");
    }
  }

  private static void checkNonce(long nonce) {
    if (nonce == MAX_NONCE) {
      throw new IllegalStateException("nonce 2^64-1 is reserved: rekey or start a new session");
    }
  }
}
