package org.kinmesh.node.link;

/**
 * Whether the node reports a peer up or down (pure). Up when some path works and the peer was
 * heard on one since it was last reported down; down when no path is left, or when the key left
 * the authorized set while up (whichever path it was up on). A move to another path while up is
 * announced as "up" again: what was in flight on the old path may be lost.
 */
final class Reachability {
  /** What a path re-evaluation means for the announcement. */
  enum Change { NONE, UP, PATH_CHANGED, DOWN }

  private boolean heardSinceDown;
  private boolean up;

  /** Something arrived from the peer on some path. */
  void heard() {
    heardSinceDown = true;
  }

  boolean heardSinceDown() {
    return heardSinceDown;
  }

  /** Reported up now. */
  boolean up() {
    return up;
  }

  /** The path went from {@code before} to {@code now}. */
  Change after(PathKind before, PathKind now) {
    if (now != PathKind.NONE && heardSinceDown && !up) {
      up = true;
      return Change.UP;
    }
    if (now != before && now != PathKind.NONE && up) {
      return Change.PATH_CHANGED;
    }
    if (now == PathKind.NONE && up) {
      up = false;
      heardSinceDown = false;
      return Change.DOWN;
    }
    return Change.NONE;
  }

  /** The key left the authorized set; true when a down must be announced (it was reported up). */
  boolean deauthorized() {
    boolean was = up;
    up = false;
    heardSinceDown = false;
    return was;
  }
}
