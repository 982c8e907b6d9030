package org.kinmesh.chain;

/**
 * How validation checks a transaction's signature: every time ({@link #ALWAYS}), or through a
 * {@link SignatureCache} that remembers transactions it already verified, so a node verifies each
 * transaction once, not at intake, again in a proposal and again at append.
 */
@FunctionalInterface
public interface SignatureCheck {
  /** Verifies on every call. */
  SignatureCheck ALWAYS = Transaction::signatureValid;

  /** Whether the transaction's signature verifies for its sender (false for system transactions). */
  boolean valid(Transaction tx);
}
