package org.kinmesh.consensus.pbft;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Proof that {@code prePrepare.digest} prepared at (view, height): the primary's pre-prepare
 * (without payload) and a threshold of distinct authorized PREPAREs for the same slot. Every
 * replica, the primary included, sends a PREPARE, so the count is simply the threshold.
 */
public record PreparedCertificate(Envelope.PrePrepare prePrepare, List<Envelope.Prepare> prepares) {
  public PreparedCertificate {
    prePrepare = prePrepare.withoutPayload();
    prepares = List.copyOf(prepares);
  }

  public long view() {
    return prePrepare.view();
  }

  public long height() {
    return prePrepare.height();
  }

  public String digest() {
    return prePrepare.digest();
  }

  /** Structure, primary and quorum; signatures were checked at the edge. */
  boolean hasQuorum(String blockchainId, Membership m) {
    return hasQuorum(blockchainId, m, m.threshold());
  }

  /** As above with the threshold of the prepared block (an emergency block needs fewer). */
  boolean hasQuorum(String blockchainId, Membership m, int threshold) {
    Envelope.PrePrepare pp = prePrepare;
    if (!pp.blockchainId().equals(blockchainId) || !pp.sender().equals(m.primary(pp.view()))) {
      return false;
    }
    Set<String> counted = new HashSet<>();
    for (Envelope.Prepare p : prepares) {
      if (!p.blockchainId().equals(blockchainId) || p.view() != pp.view() || p.height() != pp.height()
          || !p.digest().equals(pp.digest()) || !m.contains(p.sender())) {
        return false;
      }
      counted.add(p.sender());
    }
    return counted.size() >= threshold;
  }
}
