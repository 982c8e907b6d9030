package org.kinmesh.wire.relay;

import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;

/** The signed-header form of GET /lookup (PROTOCOL.md §2.2). */
public record LookupSignature(String blockchainId, String targetKey, String requesterKey, long timestamp,
    String signature) implements SignedRequest {
  public static final String HEADER_REQUESTER = "X-Kinmesh-Requester";
  public static final String HEADER_TIMESTAMP = "X-Kinmesh-Timestamp";
  public static final String HEADER_SIGNATURE = "X-Kinmesh-Signature";

  public static LookupSignature sign(Identity requester, String blockchainId, String targetKey, long timestamp) {
    byte[] m = Canonical.message(MessageTag.RELAY_LOOKUP, blockchainId, targetKey, requester.publicKeyHex(), timestamp);
    return new LookupSignature(blockchainId, targetKey, requester.publicKeyHex(), timestamp, requester.sign(m));
  }

  @Override
  public byte[] canonicalMessage() {
    return Canonical.message(MessageTag.RELAY_LOOKUP, blockchainId, targetKey, requesterKey, timestamp);
  }

  @Override
  public String signerKey() {
    return requesterKey;
  }
}
