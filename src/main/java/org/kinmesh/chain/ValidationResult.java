package org.kinmesh.chain;

/**
 * The answer of validation: a code and a human message, never a bare boolean. ACCEPTED codes
 * (VALID, AWAITING_APPROVALS) mean the transaction may go into a block.
 */
public record ValidationResult(Code code, String message) {
  public enum Code {
    /** Valid and takes effect when its block commits. */
    VALID,
    /** Valid and recorded, but its effect waits for more guardian approvals (or confirmation). */
    AWAITING_APPROVALS,
    /** Broken format or bounds. */
    MALFORMED,
    /** Signed for another blockchain. */
    WRONG_CHAIN,
    INVALID_SIGNATURE,
    /** The sender lacks the role the permissions table asks for. */
    INSUFFICIENT_PERMISSION,
    /** The target key or proposal does not exist. */
    UNKNOWN_TARGET,
    /** The key is not an active consensus node (proposer, commit signer, voter). */
    NOT_A_CONSENSUS_NODE,
    /** Replayed nonce, key already registered, approver already counted. */
    DUPLICATE,
    /** Valid in itself but at odds with the current state (node id taken, last guardian, ...). */
    CONFLICT,
    /** Too old for its block, or the proposal it approves has expired. */
    EXPIRED,
    /** Dated too far after its block. */
    NOT_YET_VALID,
    /** The invite of a join was already used on this chain. */
    INVITE_USED,
    /** A block that does not extend the chain (height, previous hash, time, hash). */
    INVALID_BLOCK
  }

  public static ValidationResult valid(String message) {
    return new ValidationResult(Code.VALID, message);
  }

  public static ValidationResult of(Code code, String message) {
    return new ValidationResult(code, message);
  }

  public boolean accepted() {
    return code == Code.VALID || code == Code.AWAITING_APPROVALS;
  }

  @Override
  public String toString() {
    return code + ": " + message;
  }
}
