package org.kinmesh.node.link;

import java.util.Optional;
import java.util.Set;

/**
 * Verifies a received hello against what this side expects. Pure: the caller passes the
 * clock reading and the authorized set. Checks run cheapest first, the signature before any
 * decision that depends on who signed.
 *
 * @param expectedRole the other side's role (DIAL when we accepted, ACCEPT when we dialed)
 * @param expectedKey the key we dialed, or null when we accepted
 * @param expectedPeerField what the hello's peer field must be: our key (from a dialer) or "" (from an acceptor)
 * @param expectedChallenge the challenge we set for this connection
 */
public record HelloCheck(String blockchainId, String genesis, String self, String expectedRole, String expectedKey,
    String expectedPeerField, String expectedChallenge, long nowSecs, long freshnessSecs, Set<String> authorized) {

  public Optional<Rejection> check(Hello h) {
    if (!expectedRole.equals(h.role())) {
      return Optional.of(Rejection.MALFORMED);
    }
    if (!blockchainId.equals(h.blockchainId())) {
      return Optional.of(Rejection.WRONG_BLOCKCHAIN);
    }
    if (Math.abs(nowSecs - h.timestamp()) > freshnessSecs) {
      return Optional.of(Rejection.STALE);
    }
    if (!expectedChallenge.equals(h.challenge())) {
      // A signature over another connection's challenge: a recorded hello played again.
      return Optional.of(Rejection.REPLAYED);
    }
    if (!h.signatureValid()) {
      return Optional.of(Rejection.INVALID_SIGNATURE);
    }
    if (self.equals(h.pubkey())) {
      return Optional.of(Rejection.SELF);
    }
    if (expectedKey != null && !expectedKey.equals(h.pubkey())) {
      return Optional.of(Rejection.WRONG_PEER);
    }
    if (!expectedPeerField.equals(h.peer())) {
      return Optional.of(Rejection.WRONG_PEER);
    }
    if (!authorized.contains(h.pubkey())) {
      return Optional.of(Rejection.UNAUTHORIZED);
    }
    // Last: only a signed hello of an authorized key can tell us that one of us has the wrong genesis.
    if (!genesis.equals(h.genesis())) {
      return Optional.of(Rejection.GENESIS_MISMATCH);
    }
    return Optional.empty();
  }
}
