package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerSelectTest {
  @Test
  void staleCandidatesAreSkippedAndTheRestStillGoIn() throws Exception {
    TestChain c = TestChain.standard();
    Transaction first = c.tx(TestChain.N1, new Payload.Data("01"));
    c.commit(5, first);
    // A replay of a committed nonce, one from a stranger, and two good ones around them.
    Transaction good1 = c.tx(TestChain.N1, new Payload.Data("02"));
    Transaction replay = Transaction.sign(TestChain.N1, TestChain.CHAIN, first.nonce(), c.time, new Payload.Data("03"));
    Transaction stranger = Transaction.sign(TestChain.STRANGER, TestChain.CHAIN, 1, c.time, new Payload.Data("04"));
    Transaction good2 = c.tx(TestChain.N2, new Payload.Data("05"));
    long t = c.time + 1;
    List<Transaction> chosen = Ledger.select(c.state, t, TestChain.N1.publicKeyHex(), List.of(),
        List.of(good1, replay, stranger, good2), SignatureCheck.ALWAYS);
    assertThat(chosen).containsExactly(good1, good2);
    Block b = Block.of(TestChain.CHAIN, c.state.height() + 1, c.state.headHash(), t, TestChain.N1.publicKeyHex(),
        List.of(), chosen);
    Ledger.apply(c.state, b);
  }

  @Test
  void orderWithinABlockCounts() {
    TestChain c = TestChain.standard();
    Transaction n1 = c.tx(TestChain.N1, new Payload.Data("01"));
    Transaction n2 = c.tx(TestChain.N1, new Payload.Data("02"));
    // nonce 2 first: then nonce 1 no longer grows and is left out
    assertThat(Ledger.select(c.state, c.time, TestChain.N1.publicKeyHex(), List.of(), List.of(n2, n1),
        SignatureCheck.ALWAYS)).containsExactly(n2);
    assertThat(Ledger.select(c.state, c.time, TestChain.N1.publicKeyHex(), List.of(), List.of(n1, n2),
        SignatureCheck.ALWAYS)).containsExactly(n1, n2);
  }
}
