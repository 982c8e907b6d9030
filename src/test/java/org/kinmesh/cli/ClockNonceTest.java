package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Mempool;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;

/**
 * The CLI numbers a key's transactions by the clock. Two sent within a second (two quick `kinmesh
 * tx send`s) must still be a gap of at least {@link Mempool#SPARSE_GAP}: a smaller gap reads as a
 * lost forward, and proposers hold the later one for {@link Mempool#GAP_HOLD_MS} (docs/chain.md §1a),
 * longer than `tx send` waits by default. With millisecond nonces TxSendCliTest's second send timed
 * out exactly so.
 */
class ClockNonceTest {
  @Test
  void transactionsSignedBackToBackAreNeverHeldAsAGap() throws Exception {
    Identity key = Identity.generate();
    long previous = 0;
    for (int i = 0; i < 50; i++) {
      Transaction tx = NodeAdminCall.sign(key, "family", Payload.Data.of(new byte[] {(byte) i}));
      if (previous != 0) {
        assertThat(tx.nonce() - previous).as("gap after nonce %d", previous).isGreaterThanOrEqualTo(Mempool.SPARSE_GAP);
      }
      previous = tx.nonce();
    }
  }

  @Test
  void aClockNonceStaysAboveTheMillisecondNoncesOfEarlierVersions() {
    assertThat(NodeAdminCall.clockNonce()).isGreaterThan(System.currentTimeMillis() * 1_000 - 1_000_000);
    assertThat(NodeAdminCall.clockNonce()).isLessThan(1L << 53);
  }
}
