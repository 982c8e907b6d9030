package org.kinmesh.node;

import java.util.Optional;
import org.kinmesh.chain.Block;
import org.kinmesh.consensus.pbft.CommitCertificate;
import org.kinmesh.consensus.pbft.Membership;

/**
 * The start-up check of the stored head block's commit certificate (its signatures are checked
 * when it is decoded): that it is for this block, and that enough of the members who voted on it
 * signed. A node must not resume from a head it cannot prove: it would hand peers a certificate
 * they refuse, and it could be resuming from a block that never committed. Pure.
 */
final class HeadCertificateCheck {
  private HeadCertificateCheck() {}

  /**
   * @param before the membership that voted on {@code head}: the one before it was applied
   * @return what is wrong, or empty
   */
  static Optional<String> problem(CommitCertificate cert, Block head, Membership before) {
    if (!cert.blockchainId().equals(head.blockchainId())) {
      return Optional.of("it is for blockchain " + cert.blockchainId());
    }
    if (cert.height() != head.height()) {
      return Optional.of("it is for height " + cert.height());
    }
    if (!cert.digest().equals(head.hash())) {
      return Optional.of("it is for block " + cert.digest() + ", not " + head.hash());
    }
    if (!cert.hasQuorum(before.keys(), before.threshold())) {
      long members = cert.signers().stream().filter(before::contains).count();
      return Optional.of("only " + members + " of the " + before.threshold() + " signatures it needs are there"
          + " (from members of the chain, for this block)");
    }
    return Optional.empty();
  }

  /** The whole start-up refusal: what is wrong, and how to fix it. */
  static String refusal(long height, String problem, String dbFile) {
    return "the stored commit certificate of block " + height + " (the head of the ledger) is damaged: " + problem
        + ". This node cannot prove its last block. To fix it, stop the node, delete " + dbFile + " (with its -wal"
        + " and -shm files) and start it again: it fetches the chain again from its peers";
  }
}
