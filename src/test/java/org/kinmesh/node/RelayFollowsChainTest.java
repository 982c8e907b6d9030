package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;

/**
 * Four real nodes and a relay that knows only the genesis: a node registered on chain (the
 * governance flow, one guardian) is served by the relay with no operator call, and a suspension
 * committed on chain reaches the relay within seconds. The nodes' relay clients hand it the blocks.
 */
@Timeout(120)
class RelayFollowsChainTest {
  @TempDir
  Path dir;
  TestNetwork net;
  final Vertx client = Vertx.vertx();

  @AfterEach
  void stop() {
    Await.result(client.close());
    if (net != null) {
      net.close();
    }
  }

  RelayAnswer register(Identity id) {
    try (RelayHttpClient c = new RelayHttpClient(client, net.relayUrl(), net.clock)) {
      return Await.result(c.register(id, TestNetwork.CHAIN, "127.0.0.1", 45_000));
    }
  }

  RelayAnswer lookup(Identity requester, String target) {
    try (RelayHttpClient c = new RelayHttpClient(client, net.relayUrl(), net.clock)) {
      return Await.result(c.lookupSigned(requester, TestNetwork.CHAIN, target));
    }
  }

  /** Submits a guardian transaction through node 0 and waits until node 0 committed it. */
  long commitByGuardian(long nonce, Payload p) {
    Transaction tx = Transaction.sign(net.guardian, TestNetwork.CHAIN, nonce, System.currentTimeMillis() / 1000, p);
    JsonObject block = net.awaitMessage(0, NodeAddresses.DEFAULT.api().chainCommitted(),
        b -> b.getJsonArray("transactions").stream().anyMatch(t -> tx.hash().equals(((JsonObject) t).getString("hash"))),
        () -> assertThat(net.submit(0, tx).getString("hash")).isEqualTo(tx.hash()));
    return block.getLong("height");
  }

  @Test
  void aNodeRegisteredOnChainIsServedAndASuspensionReachesTheRelayWithinSeconds() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(2);
    Identity laptop = TestKeys.key(150);
    String node0 = net.node(0).key();
    assertThat(register(laptop).status()).isEqualTo(403);

    commitByGuardian(1, new Payload.NodeRegistration(laptop.publicKeyHex(), 50, false, System.currentTimeMillis() / 1000));
    long t0 = System.nanoTime();
    Await.until("the relay serves the laptop registered on chain", Duration.ofSeconds(20),
        () -> register(laptop).status() == 200);
    System.out.println("registration committed -> relay serves the laptop: " + (System.nanoTime() - t0) / 1_000_000
        + " ms");
    Await.until("node 0 is registered at the relay", Duration.ofSeconds(20),
        () -> lookup(laptop, node0).status() == 200);
    assertThat(lookup(net.keys.get(1), laptop.publicKeyHex()).status()).isEqualTo(200);

    commitByGuardian(2, new Payload.NodeDeauthorization(laptop.publicKeyHex(), Payload.DeauthMode.SUSPEND,
        "laptop lost", 86_400));
    long t1 = System.nanoTime();
    Await.until("the relay refuses the suspended laptop", Duration.ofSeconds(10),
        () -> register(laptop).status() == 403);
    System.out.println("suspension committed -> relay refuses the laptop: " + (System.nanoTime() - t1) / 1_000_000
        + " ms");
    RelayAnswer refused = lookup(laptop, node0);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(lookup(net.keys.get(1), laptop.publicKeyHex()).status()).isEqualTo(404);
  }
}
