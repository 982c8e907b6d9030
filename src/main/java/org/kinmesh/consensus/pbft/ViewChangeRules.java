package org.kinmesh.consensus.pbft;

import java.util.Collection;

/**
 * The pure rules of the view change, shared by the new primary (to build NEW-VIEW) and by every
 * replica (to check it), so both sides compute the same answer from the same view changes.
 */
final class ViewChangeRules {
  private ViewChangeRules() {}

  /**
   * What a new view must do: start at {@code height} (one above the highest proven commit), and
   * re-propose {@code source.prepared} when any view change holds a prepared certificate for that
   * height (the highest view wins; a tie, possible only with more than f liars, breaks on the
   * smaller digest so the answer stays deterministic).
   */
  record Plan(long height, Envelope.ViewChange source) {
    String digest() {
      return source == null ? null : source.prepared().digest();
    }
  }

  static Plan plan(Collection<Envelope.ViewChange> viewChanges) {
    long height = 0;
    for (Envelope.ViewChange vc : viewChanges) {
      height = Math.max(height, vc.height());
    }
    Envelope.ViewChange best = null;
    for (Envelope.ViewChange vc : viewChanges) {
      PreparedCertificate p = vc.prepared();
      if (p == null || p.height() != height) {
        continue;
      }
      if (best == null || p.view() > best.prepared().view()
          || (p.view() == best.prepared().view() && p.digest().compareTo(best.prepared().digest()) < 0)) {
        best = vc;
      }
    }
    return new Plan(height, best);
  }

  /**
   * Checks one view change on its own: its commit proof for height - 1 and its prepared
   * certificate for height, against the membership of those heights. Null when valid.
   */
  static String problem(Envelope.ViewChange vc, String blockchainId, MembershipSchedule schedule) {
    Thresholds strict = (h, d, m) -> m.threshold();
    return problem(vc, blockchainId, schedule, strict, strict);
  }

  /** How many signatures a certificate for (height, digest) needs under membership m. */
  @FunctionalInterface
  interface Thresholds {
    int at(long height, String digest, Membership m);
  }

  /**
   * As above, with the thresholds of the certified blocks: {@code committed} for the commit
   * certificate of height - 1, {@code prepared} for the prepared certificate (docs/quorum.md: an
   * emergency block needs fewer votes, and only its payload or its committed parent can say so).
   */
  static String problem(Envelope.ViewChange vc, String blockchainId, MembershipSchedule schedule,
      Thresholds committed, Thresholds prepared) {
    if (vc.height() < 1) {
      return "height must be at least 1";
    }
    if (vc.height() > 1) {
      CommitCertificate c = vc.committed();
      Membership cm = c == null ? null : schedule.at(c.height());
      if (c == null || c.height() != vc.height() - 1 || !c.blockchainId().equals(blockchainId)
          || !c.hasQuorum(cm.keys(), committed.at(c.height(), c.digest(), cm))) {
        return "no valid commit certificate for height " + (vc.height() - 1);
      }
    }
    PreparedCertificate p = vc.prepared();
    Membership pm = schedule.at(vc.height());
    if (p != null && (p.height() != vc.height() || p.view() >= vc.view()
        || !p.hasQuorum(blockchainId, pm, prepared.at(p.height(), p.digest(), pm)))) {
      return "invalid prepared certificate";
    }
    return null;
  }
}
