package org.kinmesh.crypto.noise;

/** A handshake message the Noise state machine refuses; {@link #reason()} says why. */
public final class NoiseException extends Exception {
  /** Why a handshake message was refused at the Noise layer (below the kinmesh payload checks). */
  public enum Reason {
    /** Shorter or longer than the pattern allows. */
    MALFORMED,
    /** An AEAD tag did not verify: a flipped bit, a wrong key, another prologue. */
    DECRYPT_FAILED,
    /** A DH gave the all-zero output: the peer sent a small-order point. */
    WEAK_KEY,
    /** A message read or written out of turn, or after the handshake finished. */
    OUT_OF_TURN
  }

  private final Reason reason;

  public NoiseException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
