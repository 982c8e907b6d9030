package org.kinmesh.consensus.pbft;

/**
 * A timer the host runs for the replica. The host keeps at most one timer per {@link Kind}:
 * starting one replaces any pending timer of the same kind. A fired timer whose view or height
 * no longer matches is ignored, so a late firing is harmless.
 */
public record TimerId(Kind kind, long view, long height) {
  public enum Kind {
    /** No commit (or no NEW-VIEW) in time: start a view change. */
    VIEW,
    /** Primary only: time to ask the host for a block. */
    PROPOSE,
    /** A fetch went unanswered: ask again. */
    FETCH
  }
}
