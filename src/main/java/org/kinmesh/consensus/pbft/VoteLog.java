package org.kinmesh.consensus.pbft;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pre-prepares, prepares and commits for heights not yet committed, by (height, view), at most
 * one vote per key and kind in each round. Bounded: the replica only admits heights inside its
 * window and at most {@link #MAX_ROUNDS_PER_HEIGHT} views per height.
 */
final class VoteLog {
  static final int MAX_ROUNDS_PER_HEIGHT = 16;
  static final int MAX_PAYLOADS_PER_HEIGHT = 8;

  enum Added { ADDED, DUPLICATE, CONFLICT, FULL }

  /** One (height, view) slot. */
  static final class Round {
    Envelope.PrePrepare prePrepare;
    final Map<String, Envelope.Prepare> prepares = new HashMap<>();
    final Map<String, Envelope.Commit> commits = new HashMap<>();
    boolean validated;
    boolean sentPrepare;
    boolean sentCommit;
  }

  private final TreeMap<Long, TreeMap<Long, Round>> rounds = new TreeMap<>();
  private final TreeMap<Long, Map<String, byte[]>> payloads = new TreeMap<>();

  Round peek(long height, long view) {
    TreeMap<Long, Round> byView = rounds.get(height);
    return byView == null ? null : byView.get(view);
  }

  /**
   * The round, created if there is room. When the height is full the lowest view gives way to a
   * higher one (so votes for old views, which anyone can sign, never crowd out the current view);
   * null when the view is below all held ones.
   */
  Round round(long height, long view) {
    TreeMap<Long, Round> byView = rounds.computeIfAbsent(height, h -> new TreeMap<>());
    Round r = byView.get(view);
    if (r == null) {
      if (byView.size() >= MAX_ROUNDS_PER_HEIGHT) {
        if (view < byView.firstKey()) {
          return null;
        }
        byView.pollFirstEntry();
      }
      r = new Round();
      byView.put(view, r);
    }
    return r;
  }

  Map<Long, Round> roundsAt(long height) {
    TreeMap<Long, Round> byView = rounds.get(height);
    return byView == null ? Map.of() : byView;
  }

  Added addPrepare(Envelope.Prepare p) {
    Round r = round(p.height(), p.view());
    if (r == null) {
      return Added.FULL;
    }
    return add(r.prepares, p.sender(), p, p.digest(), r.prepares.get(p.sender()) == null ? null
        : r.prepares.get(p.sender()).digest());
  }

  Added addCommit(Envelope.Commit c) {
    Round r = round(c.height(), c.view());
    if (r == null) {
      return Added.FULL;
    }
    return add(r.commits, c.sender(), c, c.digest(), r.commits.get(c.sender()) == null ? null
        : r.commits.get(c.sender()).digest());
  }

  private static <T> Added add(Map<String, T> votes, String sender, T vote, String digest, String had) {
    if (had != null) {
      return had.equals(digest) ? Added.DUPLICATE : Added.CONFLICT;
    }
    votes.put(sender, vote);
    return Added.ADDED;
  }

  void putPayload(long height, String digest, byte[] payload) {
    Map<String, byte[]> byDigest = payloads.computeIfAbsent(height, h -> new HashMap<>());
    if (byDigest.size() < MAX_PAYLOADS_PER_HEIGHT || byDigest.containsKey(digest)) {
      byDigest.putIfAbsent(digest, payload);
    }
  }

  byte[] payload(long height, String digest) {
    Map<String, byte[]> byDigest = payloads.get(height);
    return byDigest == null ? null : byDigest.get(digest);
  }

  /** Garbage-collects everything at or below a committed height. */
  void dropUpTo(long height) {
    rounds.headMap(height, true).clear();
    payloads.headMap(height, true).clear();
  }
}
