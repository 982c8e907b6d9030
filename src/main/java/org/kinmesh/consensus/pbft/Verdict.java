package org.kinmesh.consensus.pbft;

/** The host's judgement of a block, in {@link Event.Validated}. "Not yet" is no answer. */
public enum Verdict {
  VALID,
  INVALID
}
