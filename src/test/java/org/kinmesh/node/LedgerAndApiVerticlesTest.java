package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.config.HostPort;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/** The ledger and API verticles of one node, wired over the event bus, on a real SQLite file. */
class LedgerAndApiVerticlesTest {
  final Identity mom = TestKeys.key(1);
  final Identity n1 = TestKeys.key(11);
  final Identity n2 = TestKeys.key(12);
  @TempDir
  Path dir;
  Vertx vertx;
  Block genesis;
  NodeApiVerticle api;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    genesis = Genesis.build(new GenesisSpec(new ChainParams("fam", 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000 - 60, List.of(new GenesisSpec.Guardian(mom.publicKeyHex(), "Mum")),
        List.of(new GenesisSpec.ConsensusNode(n1.publicKeyHex(), 1), new GenesisSpec.ConsensusNode(n2.publicKeyHex(), 2))));
    deploy();
  }

  void deploy() {
    Await.result(vertx.deployVerticle(new LedgerVerticle(dir.resolve("ledger.db"), genesis, TimeSource.SYSTEM)));
    api = new NodeApiVerticle(new HostPort("127.0.0.1", 0), dir.resolve("api.port"), n1.publicKeyHex(), false);
    Await.result(vertx.deployVerticle(api));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.actualPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.actualPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  Transaction data(String text, long nonce) {
    return Transaction.sign(n1, "fam", nonce, System.currentTimeMillis() / 1000,
        new Payload.Data(Hex.encode(text.getBytes(StandardCharsets.UTF_8))));
  }

  Block nextBlock(List<Transaction> txs) {
    var s = Await.result(vertx.eventBus().<org.kinmesh.chain.GovernanceState>request(NodeAddresses.DEFAULT.ledger().state(), null)).body();
    return Block.of("fam", s.height() + 1, s.headHash(), Math.max(s.time(), System.currentTimeMillis() / 1000),
        n1.publicKeyHex(), List.of(), txs);
  }

  @Test
  void transactionsGoFromTheApiToTheMempoolAndCommittedBlocksAreServedAndPublished() throws Exception {
    assertThat(Files.readString(dir.resolve("api.port")).trim()).isEqualTo(Integer.toString(api.actualPort()));
    Transaction tx = data("hello", 1);
    HttpResponse<String> accepted = post("/transactions", new String(tx.toJsonBytes(), StandardCharsets.UTF_8));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    assertThat(new JsonObject(accepted.body()).getString("hash")).isEqualTo(tx.hash());
    HttpResponse<String> again = post("/transactions", new String(tx.toJsonBytes(), StandardCharsets.UTF_8));
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(again.body()).getString("error")).isEqualTo("duplicate");
    assertThat(post("/transactions", "{nope").statusCode()).isEqualTo(400);

    JsonObject candidates = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().candidates(),
        new JsonObject())).body();
    assertThat(candidates.getJsonArray("transactions")).hasSize(1);

    Promise<JsonObject> committed = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> committed.tryComplete(m.body()));
    Block b1 = nextBlock(List.of(tx)).withCommitCertificate("{\"signers\":[]}");
    Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), b1));
    JsonObject published = Await.result(committed.future());
    assertThat(published.getLong("height")).isEqualTo(1L);
    assertThat(published.getJsonArray("transactions").getJsonObject(0).getString("hash")).isEqualTo(tx.hash());

    JsonObject block = new JsonObject(get("/blocks/1").body());
    assertThat(block.getString("hash")).isEqualTo(b1.hash());
    assertThat(block.getString("prev_hash")).isEqualTo(genesis.hash());
    assertThat(block.getString("proposer")).isEqualTo(n1.publicKeyHex());
    assertThat(block.getJsonObject("commit_certificate")).isNotNull();
    assertThat(get("/blocks/2").statusCode()).isEqualTo(404);
    assertThat(get("/blocks/x").statusCode()).isEqualTo(400);
    JsonObject status = new JsonObject(get("/status").body());
    assertThat(status.getLong("height")).isEqualTo(1L);
    assertThat(status.getString("head_hash")).isEqualTo(b1.hash());
    assertThat(status.getString("pubkey")).isEqualTo(n1.publicKeyHex());
    // the committed transaction left the mempool
    assertThat(Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().candidates(), new JsonObject())).body()
        .getJsonArray("transactions")).isEmpty();
  }

  @Test
  void aBlockThatDoesNotExtendTheChainIsRefusedAndChangesNothing() throws Exception {
    Block wrong = Block.of("fam", 5, genesis.hash(), System.currentTimeMillis() / 1000, n1.publicKeyHex(), List.of(),
        List.of());
    Throwable err = Await.failure(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), wrong));
    assertThat(((ReplyException) err).failureCode()).isEqualTo(LedgerVerticle.CONFLICT);
    assertThat(new JsonObject(get("/status").body()).getLong("height")).isZero();
  }

  @Test
  void aRestartedLedgerResumesFromDisk() throws Exception {
    Transaction tx = data("kept", 1);
    Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), nextBlock(List.of(tx))));
    Await.result(vertx.close());
    vertx = Vertx.vertx();
    deploy();
    JsonObject status = new JsonObject(get("/status").body());
    assertThat(status.getLong("height")).isEqualTo(1L);
    assertThat(get("/blocks/1").body()).contains(tx.hash());
  }

  @Test
  void theAdminApiReachesTheLedgerOverTheBus() throws Exception {
    JsonObject nodes = new JsonObject(get("/admin/nodes/status").body());
    assertThat(nodes.getInteger("active_consensus_nodes")).isEqualTo(2);
    Transaction suspend = Transaction.sign(mom, "fam", 1, System.currentTimeMillis() / 1000,
        new Payload.NodeDeauthorization(n2.publicKeyHex(), Payload.DeauthMode.SUSPEND, "away", 3600));
    HttpResponse<String> r = post("/admin/nodes/" + n2.publicKeyHex() + "/deauthorize",
        new String(suspend.toJsonBytes(), StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    Transaction byNode = Transaction.sign(n1, "fam", 1, System.currentTimeMillis() / 1000,
        new Payload.NodeDeauthorization(n2.publicKeyHex(), Payload.DeauthMode.SUSPEND, "x", 60));
    HttpResponse<String> refused = post("/admin/nodes/" + n2.publicKeyHex() + "/deauthorize",
        new String(byNode.toJsonBytes(), StandardCharsets.UTF_8));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("insufficient_permission");
    // the authorized set shrinks when the block commits, and the change is announced
    // ... as a typed AuthorizedSet that gossip, punch and the links use as it is (issue 14: parsed once)
    Promise<Object> announced = Promise.promise();
    vertx.eventBus().localConsumer(NodeAddresses.DEFAULT.chain().authorizedSet(), m -> announced.tryComplete(m.body()));
    Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.ledger().append(), nextBlock(List.of(suspend))));
    assertThat(Await.result(announced.future())).isInstanceOfSatisfying(org.kinmesh.chain.AuthorizedSet.class,
        set -> assertThat(set.keys()).containsExactly(n1.publicKeyHex()));
    assertThat(Await.result(vertx.eventBus().request(NodeAddresses.DEFAULT.chain().authorizedSetQuery(), null)).body())
        .isInstanceOf(org.kinmesh.chain.AuthorizedSet.class);
    assertThat(get("/peers").statusCode()).isEqualTo(503); // no Links verticle in this test
  }

  /** A valid signed transaction with an extra, earlier "nonce": a lenient parser keeps the last value. */
  String withDuplicateNonce(Transaction tx) {
    return "{\"nonce\":99," + new String(tx.toJsonBytes(), StandardCharsets.UTF_8).substring(1);
  }

  @Test
  void aTransactionWithDuplicateKeysIsMalformedAtEveryEdgeAndNothingIsQueued() throws Exception {
    Transaction tx = data("dup", 1);
    String dup = withDuplicateNonce(tx);
    HttpResponse<String> http = post("/transactions", dup);
    assertThat(http.statusCode()).as(http.body()).isEqualTo(400);
    assertThat(new JsonObject(http.body()).getString("error")).isEqualTo("malformed");
    assertThat(new JsonObject(http.body()).getString("message")).contains("nonce");

    Transaction suspend = Transaction.sign(mom, "fam", 1, System.currentTimeMillis() / 1000,
        new Payload.NodeDeauthorization(n2.publicKeyHex(), Payload.DeauthMode.SUSPEND, "away", 3600));
    HttpResponse<String> admin = post("/admin/nodes/" + n2.publicKeyHex() + "/deauthorize", withDuplicateNonce(suspend));
    assertThat(admin.statusCode()).as(admin.body()).isEqualTo(400);
    assertThat(new JsonObject(admin.body()).getString("error")).isEqualTo("malformed");

    // The public event-bus address: the JSON text (String or Buffer) is parsed strictly too.
    for (Object body : List.of(dup, io.vertx.core.buffer.Buffer.buffer(dup))) {
      Throwable err = Await.failure(vertx.eventBus().request(NodeAddresses.DEFAULT.api().chainSubmit(), body));
      assertThat(((ReplyException) err).failureCode()).isEqualTo(400);
      assertThat(new JsonObject(err.getMessage()).getString("error")).isEqualTo("malformed");
    }
    assertThat(Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.ledger().candidates(), new JsonObject())).body()
        .getJsonArray("transactions")).isEmpty();
  }

  @Test
  void aHostMaySubmitATypedTransactionOnTheBus() {
    Transaction tx = data("typed", 1);
    JsonObject reply = Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().chainSubmit(), tx)).body();
    assertThat(reply.getString("hash")).isEqualTo(tx.hash());
  }
}
