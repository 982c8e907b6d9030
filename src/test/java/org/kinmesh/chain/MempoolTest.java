package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/** The mempool's ordering rule (docs/chain.md, "Pending transactions"): no accepted transaction is skipped. */
class MempoolTest {
  private static final Identity S = TestChain.N1;
  private final TestChain c = TestChain.standard();
  private final Mempool pool = new Mempool(1_000, 1 << 20);

  private Transaction tx(long nonce) {
    return Transaction.sign(S, TestChain.CHAIN, nonce, c.time, new Payload.Data(String.format("%02x", nonce % 256)));
  }

  /** What the primary puts in its next block: the proposable candidates the ledger still accepts. */
  private List<Transaction> propose(long nowMs) {
    return Ledger.select(c.state, c.time, S.publicKeyHex(), List.of(),
        pool.proposable(c.state, nowMs, 1_000, 1 << 20), SignatureCheck.ALWAYS);
  }

  /** Issue 13: a block carried 851, 852, 855 and the accepted 853 and 854 were then dropped. */
  @Test
  void aNonceGapHoldsTheSendersLaterTransactionsUntilTheMissingOnesArrive() {
    c.commit(1, tx(1), tx(2));
    pool.add(tx(3), 0);
    pool.add(tx(4), 0);
    pool.add(tx(7), 0); // 5 and 6 were accepted elsewhere; their forwards are late
    List<Transaction> first = propose(1_000);
    assertThat(first).extracting(Transaction::nonce).containsExactly(3L, 4L);
    assertThat(pool.onCommitted(commit(first), c.state)).isEmpty();

    pool.add(tx(6), 2_000);
    assertThat(propose(2_000)).as("still waiting for 5").isEmpty();
    pool.add(tx(5), 3_000);
    List<Transaction> second = propose(3_000);
    assertThat(second).extracting(Transaction::nonce).containsExactly(5L, 6L, 7L);
    assertThat(pool.onCommitted(commit(second), c.state)).isEmpty();
    assertThat(pool.size()).isZero();
  }

  @Test
  void transactionsThatArriveOutOfOrderAreProposedInNonceOrder() {
    pool.add(tx(2), 0);
    pool.add(tx(1), 0);
    assertThat(propose(0)).extracting(Transaction::nonce).containsExactly(1L, 2L);
  }

  @Test
  void aGapThatOutlivesTheHoldIsTakenAsRealAndALateArrivalLearnsWhy() {
    pool.add(tx(2), 0);
    assertThat(propose(Mempool.GAP_HOLD_MS - 1)).isEmpty();
    List<Transaction> taken = propose(Mempool.GAP_HOLD_MS);
    assertThat(taken).extracting(Transaction::nonce).containsExactly(2L);
    pool.add(tx(1), Mempool.GAP_HOLD_MS); // accepted here, but nonce 2 is already in the block
    List<Mempool.Rejected> rejected = pool.onCommitted(commit(taken), c.state);
    assertThat(rejected).singleElement().satisfies(r -> {
      assertThat(r.tx().nonce()).isEqualTo(1L);
      assertThat(r.reason()).contains("nonce 1").contains("2");
    });
    assertThat(pool.size()).isZero();
  }

  @Test
  void sparseNumberingIsNotHeld() {
    // The CLI numbers by the clock in milliseconds: such a gap is the sender's choice, not a lost forward.
    Transaction clockNonce = tx(1_733_600_000_000L);
    pool.add(clockNonce, 0);
    assertThat(propose(0)).containsExactly(clockNonce);
  }

  @Test
  void anExpiredPendingTransactionIsRejectedWithTheReason() {
    Transaction old = tx(1);
    pool.add(old, 0);
    c.commit(c.state.params().txMaxAgeSecs() + 1);
    List<Mempool.Rejected> rejected = pool.onCommitted(c.blocks.get(c.blocks.size() - 1), c.state);
    assertThat(rejected).singleElement().satisfies(r -> {
      assertThat(r.tx()).isEqualTo(old);
      assertThat(r.reason()).startsWith("expired");
    });
    assertThat(pool.contains(old.hash())).isFalse();
  }

  private Block commit(List<Transaction> txs) {
    c.commit(1, txs.toArray(Transaction[]::new));
    return c.blocks.get(c.blocks.size() - 1);
  }
}
