package org.kinmesh.chain;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An action waiting for M-of-N guardian approvals; resource_id is the hash of the transaction
 * that proposed it, and the author's approval is counted from the start. A time-lock proposal
 * has already taken effect provisionally and is reverted if it expires unconfirmed.
 */
public record Proposal(String resourceId, Transaction tx, long createdAt, long expiresAt, SortedSet<String> approvers,
    boolean timelock) {
  public Proposal {
    approvers = Collections.unmodifiableSortedSet(new TreeSet<>(approvers));
  }

  Proposal withApprover(String key) {
    TreeSet<String> more = new TreeSet<>(approvers);
    more.add(key);
    return new Proposal(resourceId, tx, createdAt, expiresAt, more, timelock);
  }

  /** Target key of the proposed action (node or member key). */
  String target() {
    Payload p = tx.payload();
    if (p instanceof Payload.NodeRegistration r) {
      return r.nodePubkey();
    }
    if (p instanceof Payload.NodeDeauthorization d) {
      return d.targetPubkey();
    }
    if (p instanceof Payload.NodeJoin) {
      return tx.sender();
    }
    if (p instanceof Payload.FamilyMemberAdd a) {
      return a.memberPubkey();
    }
    if (p instanceof Payload.FamilyMemberRemove r) {
      return r.memberPubkey();
    }
    return "";
  }
}
