package org.kinmesh.consensus.pbft;

import org.kinmesh.crypto.Identity;

/**
 * Signs this replica's outgoing envelopes. The replica signs its own votes because a commit
 * certificate must hold its own signed commit; verification stays at the edge ({@link EnvelopeCodec}).
 */
public interface Signer {
  String publicKey();

  /** Ed25519 over SHA-256 of the canonical message, lowercase hex (PROTOCOL.md §1). */
  String sign(byte[] canonical);

  static Signer of(Identity identity) {
    return new Signer() {
      @Override
      public String publicKey() {
        return identity.publicKeyHex();
      }

      @Override
      public String sign(byte[] canonical) {
        return identity.sign(canonical);
      }
    };
  }
}
