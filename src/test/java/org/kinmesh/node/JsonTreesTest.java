package org.kinmesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;

/** The committed-block body built from the transactions' trees is what parsing their JSON gave. */
class JsonTreesTest {
  private static final String CHAIN = "json-trees";

  @Test
  void aTransactionsTreeIsTheVertxJsonItsTextParsesTo() {
    Identity k = TestKeys.key(0);
    List<Transaction> txs = List.of(
        Transaction.sign(k, CHAIN, 1, 1_700_000_000L, new Payload.Data("00ff".repeat(64))),
        Transaction.sign(k, CHAIN, 2, 9_007_199_254_740_992L, new Payload.NodeRegistration(
            TestKeys.key(1).publicKeyHex(), 4_294_967_295L, true, 1_700_000_001L)),
        Transaction.sign(k, CHAIN, 3_000_000_000L, 5L, new Payload.NodeReactivation(
            TestKeys.key(2).publicKeyHex(), "back \"home\" \\ ünïcode")));
    for (Transaction tx : txs) {
      JsonObject parsed = new JsonObject(tx.toJsonString());
      JsonObject built = JsonTrees.object(tx.toJson());
      assertEquals(parsed, built);
      assertEquals(parsed.encode(), built.encode(), "same members, same order, same number types");
      assertEquals(parsed.getLong("nonce"), built.getLong("nonce"));
    }
    Block b = Block.of(CHAIN, 1, Block.ZERO_HASH, 1_700_000_002L, k.publicKeyHex(), List.of(), txs);
    JsonObject body = LedgerVerticle.committedBody(b);
    for (int i = 0; i < txs.size(); i++) {
      assertEquals(new JsonObject(txs.get(i).toJsonString()), body.getJsonArray("transactions").getJsonObject(i));
    }
  }
}
