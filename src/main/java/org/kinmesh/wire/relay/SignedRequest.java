package org.kinmesh.wire.relay;

import org.kinmesh.crypto.Ed25519;

/** A signed relay request: who signed it, when, and the bytes the signature covers. */
public interface SignedRequest {
  String blockchainId();

  String signerKey();

  long timestamp();

  String signature();

  byte[] canonicalMessage();

  default boolean signatureValid() {
    return Ed25519.verify(signerKey(), signature(), canonicalMessage());
  }
}
