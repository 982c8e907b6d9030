package org.kinmesh.session;

/** Why a transport frame was dropped: counted; nothing else about the session changes. */
public enum DropReason {
  /** Shorter than a counter and a tag. */
  TRUNCATED,
  /** The tag failed: a flipped bit, or not made with this session's key. */
  BAD_TAG,
  /** A counter already received (a replayed datagram). */
  REPLAYED,
  /** A counter below the replay window. */
  TOO_OLD,
  /** The session is past its reject limit, or closed. */
  EXPIRED
}
