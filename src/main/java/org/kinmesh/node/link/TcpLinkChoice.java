package org.kinmesh.node.link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which WebSocket carries one peer's direct_tcp path (pure; generic over the link so that tests
 * can use plain values). Both sides dial each other, and when both dials succeed each side keeps
 * the link the lower key dialed. The two sides learn of the winner at different moments: the
 * peer may close our current link as a duplicate before our side has heard "ready" on the link
 * it kept. That close is a hand-over, not the peer going away: the path stays up while the kept
 * link finishes its handshake, and goes down only if that fails. What is sent meanwhile waits
 * for the kept link (a few messages: the gap is one frame's flight).
 *
 * @param <L> a link; identity is what counts
 */
final class TcpLinkChoice<L> {
  /** What an adoption did. */
  enum Adopted {
    /** The peer's first link (the path opens). */
    FIRST,
    /** The link we waited for after the peer closed our current one as a duplicate (the path stayed up). */
    HANDED_OVER,
    /** It replaced the current link, which is now to be retired ({@link #retired()}). */
    REPLACED,
    /** The current link is preferred: this one is the duplicate and closes. */
    DUPLICATE
  }

  /** What the end of a link means for the path. */
  enum Closed {
    /** Not the current link (a duplicate, a retired one, a handshake that went nowhere). */
    IGNORED,
    /** The current link closed and no other is coming: the path is down. */
    DOWN,
    /** The peer closed the current link as a duplicate and our preferred link is in its handshake. */
    HANDOVER,
    /** The link a hand-over waited for failed: the path is down. */
    HANDOVER_FAILED
  }

  /** At most this many messages wait for the kept link during a hand-over. */
  static final int MAX_HELD = 128;

  private final Predicate<L> preferred;
  private final List<String> held = new ArrayList<>();
  /** Our dials to this peer whose handshake has not finished. */
  private final Set<L> handshaking = Collections.newSetFromMap(new IdentityHashMap<>());
  private L current;
  private L retired;
  private boolean handover;

  /** @param preferred whether a link is the one the lower key dialed */
  TcpLinkChoice(Predicate<L> preferred) {
    this.preferred = preferred;
  }

  /** We dialed the peer on this link; its handshake is under way. */
  void dialing(L link) {
    handshaking.add(link);
  }

  /** The link finished its handshake. */
  Adopted adopt(L link) {
    handshaking.remove(link);
    if (current == null) {
      current = link;
      boolean wasHandover = handover;
      handover = false;
      return wasHandover ? Adopted.HANDED_OVER : Adopted.FIRST;
    }
    if (!preferred.test(link) || preferred.test(current)) {
      return Adopted.DUPLICATE;
    }
    retired = current;
    current = link;
    return Adopted.REPLACED;
  }

  /** The link a {@link Adopted#REPLACED} adoption displaced. */
  L retired() {
    return retired;
  }

  /**
   * The link closed, or its handshake failed.
   *
   * @param keptAnother the peer closed it as a duplicate: it keeps another link to us
   */
  Closed closed(L link, boolean keptAnother) {
    handshaking.remove(link);
    if (link == retired) {
      retired = null;
    }
    if (link == current) {
      current = null;
      if (keptAnother && handshaking.stream().anyMatch(preferred)) {
        handover = true;
        return Closed.HANDOVER;
      }
      return Closed.DOWN;
    }
    if (handover && handshaking.stream().noneMatch(preferred)) {
      handover = false;
      return Closed.HANDOVER_FAILED;
    }
    return Closed.IGNORED;
  }

  /** Keeps a message for the kept link while a hand-over is under way; false when none is, or too many wait. */
  boolean hold(String payload) {
    if (!handover || held.size() >= MAX_HELD) {
      return false;
    }
    held.add(payload);
    return true;
  }

  /**
   * What waited during the hand-over that just ended: to send on the link it ended on
   * ({@link Adopted#HANDED_OVER}), or lost ({@link Closed#HANDOVER_FAILED}).
   */
  List<String> takeHeld() {
    List<String> out = List.copyOf(held);
    held.clear();
    return out;
  }

  /** The link carrying traffic, or null (also during a hand-over). */
  L current() {
    return current;
  }

  /** The path is up: a link carries it, or a hand-over to the kept link is under way. */
  boolean linked() {
    return current != null || handover;
  }

  /** Forgets every link (the peer was deauthorized); returns the current one to close, or null. */
  L clear() {
    L out = current;
    current = null;
    retired = null;
    handover = false;
    handshaking.clear();
    held.clear();
    return out;
  }
}
