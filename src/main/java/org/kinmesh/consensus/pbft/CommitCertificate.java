package org.kinmesh.consensus.pbft;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Proof that a block committed: a threshold of distinct authorized COMMITs over the same
 * (blockchain_id, view, height, digest). Stored with the block; checked on catch-up.
 */
public record CommitCertificate(String blockchainId, long view, long height, String digest,
    List<Envelope.Commit> commits) {
  public CommitCertificate {
    commits = List.copyOf(commits);
  }

  /**
   * The full check, signatures included; usable by the ledger. Pure: the caller supplies the
   * authorized keys and threshold in force at {@link #height()}.
   */
  public static boolean verify(CommitCertificate cert, Collection<String> authorizedKeys, int threshold) {
    if (cert == null) {
      return false;
    }
    for (Envelope.Commit c : cert.commits) {
      if (!c.signatureValid()) {
        return false;
      }
    }
    return cert.hasQuorum(Set.copyOf(authorizedKeys), threshold);
  }

  /** Everything but signatures (already checked by {@link EnvelopeCodec} at the edge). */
  public boolean hasQuorum(Collection<String> authorizedKeys, int threshold) {
    if (threshold < 1) {
      return false;
    }
    Set<String> counted = new HashSet<>();
    for (Envelope.Commit c : commits) {
      if (!c.blockchainId().equals(blockchainId) || c.view() != view || c.height() != height
          || !c.digest().equals(digest) || !authorizedKeys.contains(c.sender())) {
        return false;
      }
      counted.add(c.sender());
    }
    // Duplicates are not forbidden in the list, but each key counts once.
    return counted.size() >= threshold;
  }

  boolean hasQuorum(Membership m) {
    return hasQuorum(m.keys(), m.threshold());
  }

  /** Keys that signed, sorted: the ledger's last_commit_signers of the next block. */
  public List<String> signers() {
    return commits.stream().map(Envelope.Commit::sender).distinct().sorted().toList();
  }
}
