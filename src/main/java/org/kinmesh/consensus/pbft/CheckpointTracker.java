package org.kinmesh.consensus.pbft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints from each key (its two latest, so memory stays n * 2) and the last stable one: a
 * threshold of keys agreeing on (height, digest). The stable height is the low watermark.
 */
final class CheckpointTracker {
  private static final int KEEP_PER_SENDER = 2;

  enum Added { ADDED, DUPLICATE, CONFLICT, OLD }

  private final Map<String, Deque<Envelope.Checkpoint>> bySender = new HashMap<>();
  private long stableHeight;
  private List<Envelope.Checkpoint> stableProof = List.of();

  CheckpointTracker(long stableHeight) {
    this.stableHeight = stableHeight;
  }

  long stableHeight() {
    return stableHeight;
  }

  List<Envelope.Checkpoint> stableProof() {
    return stableProof;
  }

  Added add(Envelope.Checkpoint cp) {
    if (cp.height() <= stableHeight) {
      return Added.OLD;
    }
    Deque<Envelope.Checkpoint> mine = bySender.computeIfAbsent(cp.sender(), s -> new ArrayDeque<>());
    for (Envelope.Checkpoint had : mine) {
      if (had.height() == cp.height()) {
        return had.digest().equals(cp.digest()) ? Added.DUPLICATE : Added.CONFLICT;
      }
    }
    mine.addLast(cp);
    while (mine.size() > KEEP_PER_SENDER) {
      mine.removeFirst();
    }
    return Added.ADDED;
  }

  /** Whether (height, digest) of cp is now backed by the membership's threshold; if so it becomes stable. */
  boolean tryStabilize(Envelope.Checkpoint cp, Membership m) {
    return tryStabilize(cp, m, m.threshold());
  }

  /** As above with the threshold of that height's block (an emergency block needs fewer, docs/quorum.md). */
  boolean tryStabilize(Envelope.Checkpoint cp, Membership m, int threshold) {
    if (cp.height() <= stableHeight) {
      return false;
    }
    List<Envelope.Checkpoint> agree = new ArrayList<>();
    for (Deque<Envelope.Checkpoint> q : bySender.values()) {
      for (Envelope.Checkpoint c : q) {
        if (c.height() == cp.height() && c.digest().equals(cp.digest()) && m.contains(c.sender())) {
          agree.add(c);
        }
      }
    }
    if (agree.size() < threshold) {
      return false;
    }
    stableHeight = cp.height();
    stableProof = List.copyOf(agree);
    // Older checkpoints are garbage now.
    bySender.values().forEach(q -> q.removeIf(c -> c.height() <= stableHeight));
    return true;
  }
}
