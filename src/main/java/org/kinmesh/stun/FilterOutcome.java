package org.kinmesh.stun;

/** What came of one RFC 5780 filtering test (a request with CHANGE-REQUEST). */
public enum FilterOutcome {
  /** Not run. */
  NOT_RUN,
  /** The answer came from the changed address: the NAT let it in. */
  ANSWERED,
  /** Nothing within the wait: the NAT filtered it (or it was lost). */
  NO_ANSWER,
  /** The server could not change its address: an error answer, or an answer from the unchanged one. */
  NOT_SUPPORTED
}
