package org.kinmesh.relay.forward;

import java.util.Optional;

/**
 * Verifies a node's connect answer. Pure: the caller passes the clock reading and who is
 * authorized. Cheap checks first, in the relay's usual order (blockchain known, freshness),
 * then the nonce, the signature, and last who signed.
 *
 * @param expectedNonce the nonce the relay sent on this connection
 */
public record ConnectCheck(String expectedNonce, long nowSecs, long freshnessSecs, Members members) {

  /** The relay's directory, as far as the check needs it. */
  public interface Members {
    boolean knows(String blockchainId);

    boolean authorized(String blockchainId, String key);
  }

  public Optional<CloseReason> check(ConnectAuth a) {
    if (!members.knows(a.blockchainId())) {
      return Optional.of(CloseReason.UNKNOWN_BLOCKCHAIN);
    }
    if (Math.abs(nowSecs - a.timestamp()) > freshnessSecs) {
      return Optional.of(CloseReason.STALE);
    }
    if (!expectedNonce.equals(a.nonce())) {
      // A signature over another connection's nonce: an answer recorded elsewhere, played again.
      return Optional.of(CloseReason.REPLAYED);
    }
    if (!a.signatureValid()) {
      return Optional.of(CloseReason.INVALID_SIGNATURE);
    }
    if (!members.authorized(a.blockchainId(), a.pubkey())) {
      return Optional.of(CloseReason.UNAUTHORIZED);
    }
    return Optional.empty();
  }
}
