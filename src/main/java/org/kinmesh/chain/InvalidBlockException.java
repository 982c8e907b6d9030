package org.kinmesh.chain;

/** A block that cannot be applied; carries why, and which transaction (-1 for the block itself). */
public final class InvalidBlockException extends Exception {
  private final ValidationResult result;
  private final int txIndex;

  public InvalidBlockException(ValidationResult result, int txIndex) {
    super((txIndex >= 0 ? "transaction " + txIndex + ": " : "") + result, null, false, false);
    this.result = result;
    this.txIndex = txIndex;
  }

  public ValidationResult result() {
    return result;
  }

  public int txIndex() {
    return txIndex;
  }
}
