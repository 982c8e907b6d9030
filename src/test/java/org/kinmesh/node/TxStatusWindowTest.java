package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * GET /transactions/{hash} on the node that accepted a transaction: it answers pending, then
 * committed (or rejected), never 404 in between, however a status request and the commit interleave.
 * The interleaving is forced, not hoped for: the Vert.x has one event loop, and the status request
 * and the block are sent in one task on it, so the ledger handles them back to back while the
 * status request's database read is still out.
 */
class TxStatusWindowTest {
  final Identity mom = TestKeys.key(1);
  final Identity n1 = TestKeys.key(11);
  final Identity n2 = TestKeys.key(12);
  @TempDir
  Path dir;
  Vertx vertx;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams("fam", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000 - 60, List.of(new GenesisSpec.Guardian(mom.publicKeyHex(), "Mum")),
        List.of(new GenesisSpec.ConsensusNode(n1.publicKeyHex(), 1), new GenesisSpec.ConsensusNode(n2.publicKeyHex(), 2))));
    Await.result(vertx.deployVerticle(new LedgerVerticle(dir.resolve("ledger.db"), genesis, TimeSource.SYSTEM)));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private Transaction data(long nonce) {
    return Transaction.sign(n1, "fam", nonce, System.currentTimeMillis() / 1000,
        new Payload.Data(Hex.encode(("tx " + nonce).getBytes(StandardCharsets.UTF_8))));
  }

  private Block committedBlock(List<Transaction> txs) {
    GovernanceState s = Await.result(vertx.eventBus().<GovernanceState>request(NodeAddresses.DEFAULT.ledger().state(), null)).body();
    return Block.of("fam", s.height() + 1, s.headHash(), Math.max(s.time(), System.currentTimeMillis() / 1000),
        n1.publicKeyHex(), List.of(), txs).withCommitCertificate("{\"signers\":[]}");
  }

  private void accept(Transaction tx) {
    JsonObject reply = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().chainSubmit(), tx)).body();
    assertThat(reply.getString("validation")).isEqualTo("valid");
    assertThat(status(tx).getString("status")).isEqualTo("pending");
  }

  private JsonObject status(Transaction tx) {
    return Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().txStatus(),
        new JsonObject().put("hash", tx.hash()))).body();
  }

  /** Sends both messages in one task on the (only) event loop: the ledger gets them in this order, back to back. */
  private Future<Message<JsonObject>> statusThenAppend(Transaction tx, Block block) {
    Promise<Message<JsonObject>> status = Promise.promise();
    Promise<Void> appended = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().txStatus(), new JsonObject().put("hash", tx.hash()))
          .onComplete(status);
      vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), block).<Void>mapEmpty().onComplete(appended);
    });
    Await.result(appended.future());
    return status.future();
  }

  @Test
  void aStatusRequestThatMeetsTheCommitOfItsTransactionAnswersPendingOrCommittedNeverNotFound() {
    Transaction tx = data(1);
    accept(tx);
    Block b1 = committedBlock(List.of(tx));

    JsonObject during = Await.result(statusThenAppend(tx, b1)).body();
    assertThat(during.getString("status")).as("the status asked as the block committed").isIn("pending",
        "committed");

    JsonObject after = status(tx);
    assertThat(after.getString("status")).isEqualTo("committed");
    assertThat(after.getLong("height")).isEqualTo(1L);
    assertThat(after.getString("block")).isEqualTo(b1.hash());
  }

  /**
   * A pending transaction overtaken by a higher nonce of its sender is rejected at that commit; the
   * reason is written to mempool.db behind. Another program holding mempool.db's write lock (as
   * sqlite3 may) holds that write back: meanwhile the node still says "rejected", not "unknown".
   */
  @Test
  void aTransactionRejectedByACommitIsReportedRejectedBeforeTheReasonIsOnDisk() throws Exception {
    Transaction overtaken = data(1);
    accept(overtaken);
    Block b1 = committedBlock(List.of(data(5)));
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("mempool.db"));
        Statement st = other.createStatement()) {
      st.execute("PRAGMA busy_timeout = 0");
      st.execute("BEGIN IMMEDIATE");
      Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), b1));
      JsonObject s = status(overtaken);
      assertThat(s.getString("status")).isEqualTo("rejected");
      assertThat(s.getString("reason")).contains("nonce 1").contains("5");
      st.execute("ROLLBACK");
    }
    assertThat(status(overtaken).getString("status")).isEqualTo("rejected");
  }

  /**
   * From the moment the committed event reports a block, its transactions answer committed: while
   * the block's write is held back (another program holds ledger.db's write lock, so the block
   * lives only in memory) and after it went through.
   */
  @Test
  void fromTheCommittedEventOnEveryTransactionOfTheBlockAnswersCommittedWrittenOrNot() throws Exception {
    Transaction a = data(1);
    Transaction b = data(2);
    accept(a);
    accept(b);
    Block b1 = committedBlock(List.of(a, b));
    Promise<List<String>> atEvent = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> Future.all(
        vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().txStatus(), new JsonObject().put("hash", a.hash())),
        vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().txStatus(), new JsonObject().put("hash", b.hash())))
        .map(all -> all.<Message<JsonObject>>list().stream().map(r -> r.body().getString("status")).toList())
        .onComplete(atEvent));
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
        Statement st = other.createStatement()) {
      st.execute("PRAGMA busy_timeout = 0");
      st.execute("BEGIN IMMEDIATE");
      Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), b1));
      assertThat(Await.result(atEvent.future())).containsExactly("committed", "committed");
      JsonObject stats = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().stats(), null)).body();
      assertThat(stats.getInteger("unwritten_blocks")).as("the block is held in memory").isEqualTo(1);
      st.execute("ROLLBACK");
    }
    Await.until("the block is written", java.time.Duration.ofSeconds(20), () -> Await.result(vertx.eventBus()
        .<JsonObject>request(NodeAddresses.DEFAULT.ledger().stats(), null)).body().getInteger("unwritten_blocks") == 0);
    assertThat(status(a).getString("status")).isEqualTo("committed");
    assertThat(status(b).getLong("height")).isEqualTo(1L);
  }
}
