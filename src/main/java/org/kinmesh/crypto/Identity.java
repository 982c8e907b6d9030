package org.kinmesh.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.Ed25519Parameters;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.signature.SignatureConfig;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;

/**
 * A node's or operator's Ed25519 identity, held as a Tink keyset (NO_PREFIX variant, so
 * signatures are plain RFC 8032 bytes). {@link #toString()} never shows key material.
 */
public final class Identity {
  static {
    try {
      SignatureConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle keyset;
  private final PublicKeySign signer;
  private final String publicKeyHex;

  private Identity(KeysetHandle keyset) throws GeneralSecurityException {
    if (keyset.size() != 1 || !(keyset.getPrimary().getKey() instanceof Ed25519PrivateKey key)) {
      throw new GeneralSecurityException("keyset must hold exactly one Ed25519 private key");
    }
    if (key.getParameters().getVariant() != Ed25519Parameters.Variant.NO_PREFIX) {
      throw new GeneralSecurityException("Ed25519 key must use the NO_PREFIX (raw) variant");
    }
    this.keyset = keyset;
    this.signer = keyset.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
    this.publicKeyHex = Hex.encode(key.getPublicKey().getPublicKeyBytes().toByteArray());
  }

  public static Identity generate() {
    try {
      return new Identity(KeysetHandle.generateNew(Ed25519Parameters.create(Ed25519Parameters.Variant.NO_PREFIX)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an Ed25519 key", e);
    }
  }

  /** Deterministic identity from a 32-byte RFC 8032 seed (tests and test vectors). */
  public static Identity fromSeed(byte[] seed) {
    try {
      Ed25519Sign.KeyPair pair = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed);
      Ed25519PublicKey pub = Ed25519PublicKey.create(Bytes.copyFrom(pair.getPublicKey()));
      Ed25519PrivateKey priv = Ed25519PrivateKey.create(pub,
          SecretBytes.copyFrom(pair.getPrivateKey(), InsecureSecretKeyAccess.get()));
      KeysetHandle handle = KeysetHandle.newBuilder()
          .addEntry(KeysetHandle.importKey(priv).withRandomId().makePrimary())
          .build();
      return new Identity(handle);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad Ed25519 seed", e);
    }
  }

  public static Identity fromKeysetJson(String json) throws GeneralSecurityException {
    return new Identity(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
  }

  /** The keyset as Tink JSON. Secret: write it only to an owner-only file. */
  public String toKeysetJson() {
    try {
      return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String publicKeyHex() {
    return publicKeyHex;
  }

  /** Short, loggable form of the public key. */
  public String shortId() {
    return KeyIds.shortId(publicKeyHex);
  }

  /**
   * The X25519 private key of this identity (the birational map, {@link Ed25519ToX25519}): the
   * static key of its Noise sessions. Secret: the caller zeroes it when done.
   */
  public byte[] x25519PrivateKey() {
    Ed25519PrivateKey key = (Ed25519PrivateKey) keyset.getPrimary().getKey();
    byte[] seed = key.getPrivateKeyBytes().toByteArray(InsecureSecretKeyAccess.get());
    try {
      return Ed25519ToX25519.privateKey(seed);
    } finally {
      java.util.Arrays.fill(seed, (byte) 0);
    }
  }

  /** Signs per PROTOCOL.md §1: Ed25519 over SHA-256(M); returns lowercase hex. */
  public String sign(byte[] canonicalMessage) {
    try {
      return Hex.encode(signer.sign(Ed25519.sha256(canonicalMessage)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "Identity[" + shortId() + "]";
  }
}
