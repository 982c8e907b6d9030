package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;

/**
 * A 202 survives the crash of the node that gave it: the transaction is accepted by a node whose
 * peers are all down (so it cannot have been forwarded), that node is stopped like a crash, the
 * others come back, then it does: the transaction commits. And a transaction whose fate was
 * decided against it while its node was down answers "rejected" with the reason.
 */
class MempoolRestartTest {
  @TempDir
  Path dir;

  private static JsonObject txStatus(TestNetwork net, int i, String hash) {
    return TestNetwork.await(net.node(i).vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().txStatus(),
        new JsonObject().put("hash", hash)), TestNetwork.WAIT).body();
  }

  private static Throwable txStatusFailure(TestNetwork net, int i, String hash) {
    try {
      txStatus(net, i, hash);
    } catch (AssertionError e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  /** Accepted on node 0 while it was alone, node 0 crashes before any peer saw it. */
  private Transaction acceptAloneThenCrash(TestNetwork net, long nonce) {
    for (int i = 0; i < 4; i++) {
      net.awaitHeight(i, 1);
    }
    net.stop(1);
    net.stop(2);
    net.stop(3);
    Transaction tx = Transaction.sign(net.node(0).identity, TestNetwork.CHAIN, nonce, System.currentTimeMillis() / 1000,
        new Payload.Data("c0ffee"));
    assertThat(net.submit(0, tx).getString("validation")).isEqualTo("valid");
    assertThat(txStatus(net, 0, tx.hash()).getString("status")).isEqualTo("pending");
    net.stop(0);
    net.restart(1);
    net.restart(2);
    net.restart(3);
    return tx;
  }

  @Test
  void aTransactionAcceptedByANodeThatCrashedBeforeForwardingItCommitsAfterItsRestart() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4).startAll()) {
      Transaction tx = acceptAloneThenCrash(net, 1);
      JsonObject block = net.awaitMessage(1, NodeAddresses.DEFAULT.api().chainCommitted(),
          b -> b.getJsonArray("transactions").stream().anyMatch(t -> tx.hash().equals(((JsonObject) t)
              .getString("hash"))), () -> net.restart(0));
      long height = block.getLong("height");
      // A node that announced height h answers "committed" at once for every transaction up to h
      // (docs/chain.md, "Transaction status"): no waiting beyond the height itself.
      TestNetwork.await(net.node(0).reached(height), TestNetwork.WAIT);
      JsonObject status = txStatus(net, 0, tx.hash());
      assertThat(status.getString("status")).isEqualTo("committed");
      assertThat(status.getLong("height")).isEqualTo(height);
      assertThat(status.getString("block")).isEqualTo(block.getString("hash"));
      // Node 2 may still be catching up (nothing above waited for it); until it has the block it
      // may rightly not know a transaction it never received.
      TestNetwork.await(net.node(2).reached(height), TestNetwork.WAIT);
      assertThat(txStatus(net, 2, tx.hash()).getString("status")).isEqualTo("committed");
      net.assertNoFork();
    }
  }

  @Test
  void aTransactionOvertakenWhileItsNodeWasDownAnswersRejectedWithTheReason() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4).startAll()) {
      Transaction lost = acceptAloneThenCrash(net, 1);
      // Meanwhile the same sender's much higher nonce commits through node 1.
      Transaction later = Transaction.sign(net.node(0).identity, TestNetwork.CHAIN, 5_000,
          System.currentTimeMillis() / 1000, new Payload.Data("beef"));
      JsonObject block = net.awaitMessage(1, NodeAddresses.DEFAULT.api().chainCommitted(),
          b -> b.getJsonArray("transactions").stream().anyMatch(t -> later.hash().equals(((JsonObject) t)
              .getString("hash"))), () -> net.submit(1, later));
      net.restart(0);
      TestNetwork.await(net.node(0).reached(block.getLong("height")), TestNetwork.WAIT);
      JsonObject status = txStatus(net, 0, lost.hash());
      assertThat(status.getString("status")).isEqualTo("rejected");
      assertThat(status.getString("reason")).contains("nonce 1").contains("5000");

      Throwable unknown = txStatusFailure(net, 0, "ab".repeat(32));
      assertThat(((ReplyException) unknown).failureCode()).isEqualTo(404);
      Throwable bad = txStatusFailure(net, 0, "not-a-hash");
      assertThat(((ReplyException) bad).failureCode()).isEqualTo(400);
    }
  }
}
