package org.kinmesh.consensus.pbft;

/** Why an inbound consensus message was dropped; the host counts each one. */
public enum RejectReason {
  TOO_LARGE,
  MALFORMED,
  WRONG_BLOCKCHAIN,
  BAD_SIGNATURE,
  UNAUTHORIZED,
  NOT_PRIMARY,
  DUPLICATE,
  CONFLICTING_VOTE,
  OLD_VIEW,
  OUT_OF_WINDOW,
  INVALID_PAYLOAD,
  INVALID_CERTIFICATE,
  INVALID_VIEW_CHANGE,
  INVALID_NEW_VIEW,
  EQUIVOCATION,
  /** Late but harmless: a vote for a height already committed here. */
  STALE;

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
