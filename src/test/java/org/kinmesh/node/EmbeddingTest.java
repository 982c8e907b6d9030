package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Hex;
import org.kinmesh.testing.Await;

/**
 * docs/embedding.md as a host application uses it: the node runs inside the host's Vert.x and
 * the host only talks to it on the event bus (submit, committed, node status, peers status).
 */
class EmbeddingTest {
  @TempDir
  Path dir;
  TestNetwork net;

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  void aHostSubmitsDataOverTheEventBusAndHearsItCommitted() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    TestNetwork.Member embedded = net.node(0);
    Vertx host = embedded.vertx; // the host application's own Vert.x, where the node was deployed

    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      txs.add(Transaction.sign(embedded.identity, TestNetwork.CHAIN, 1 + i, System.currentTimeMillis() / 1000,
          new Payload.Data(Hex.encode(("family photo " + i).getBytes(StandardCharsets.UTF_8)))));
    }
    List<String> pending = new ArrayList<>(txs.stream().map(Transaction::hash).toList());
    Promise<Void> allCommitted = Promise.promise();
    host.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> {
      for (Object o : m.body().getJsonArray("transactions")) {
        synchronized (pending) {
          pending.remove(((JsonObject) o).getString("hash"));
          if (pending.isEmpty()) {
            allCommitted.tryComplete();
          }
        }
      }
    });
    for (Transaction tx : txs) {
      JsonObject reply = Await.result(host.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().chainSubmit(),
          new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8)))).body();
      assertThat(reply.getString("hash")).isEqualTo(tx.hash());
      assertThat(reply.getString("validation")).isEqualTo("valid");
    }
    Await.result(allCommitted.future());

    // a bad submission is refused with its validation code, and nothing is queued
    Throwable refused = Await.failure(host.eventBus().request(NodeAddresses.DEFAULT.api().chainSubmit(),
        new JsonObject(new String(txs.get(0).toJsonBytes(), StandardCharsets.UTF_8))));
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(400);
    assertThat(new JsonObject(refused.getMessage()).getString("error")).isEqualTo("duplicate");
    Throwable malformed = Await.failure(host.eventBus().request(NodeAddresses.DEFAULT.api().chainSubmit(), new JsonObject().put("x", 1)));
    assertThat(new JsonObject(malformed.getMessage()).getString("error")).isEqualTo("malformed");

    JsonObject status = Await.result(host.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().nodeStatus(), null)).body();
    assertThat(status.getJsonObject("quorum").getInteger("authorized")).isEqualTo(4);
    assertThat(status.getString("role")).isIn("primary", "backup");
    JsonObject peers = Await.result(host.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().peersStatus(), new JsonObject()))
        .body();
    assertThat(peers.getJsonArray("peers")).hasSize(3);
    net.assertNoFork();
  }
}
