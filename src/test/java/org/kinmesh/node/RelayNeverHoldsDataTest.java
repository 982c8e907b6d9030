package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.RecordingProxy;
import org.kinmesh.testing.TestKeys;

/**
 * Four real nodes hand a relay the chain through a recording proxy (every byte the relay received
 * on HTTP): a DATA canary committed among governance blocks never appears in those /follow
 * requests, nor in the relay's SQLite file and WAL, as text or hex, while the relay's head and
 * authorized set are the ledger's (a suspension that ends by block time included).
 */
@Timeout(120)
class RelayNeverHoldsDataTest {
  @TempDir
  Path dir;
  TestNetwork net;
  RecordingProxy proxy;
  final Vertx client = Vertx.vertx();
  final String canary = "canary-" + UUID.randomUUID();

  @AfterEach
  void stop() {
    Await.result(client.close());
    if (net != null) {
      net.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  long commitByGuardian(long nonce, Payload p) {
    Transaction tx = Transaction.sign(net.guardian, TestNetwork.CHAIN, nonce, System.currentTimeMillis() / 1000, p);
    JsonObject block = net.awaitMessage(0, NodeAddresses.DEFAULT.api().chainCommitted(),
        b -> b.getJsonArray("transactions").stream().anyMatch(t -> tx.hash().equals(((JsonObject) t).getString("hash"))),
        () -> assertThat(net.submit(0, tx).getString("hash")).isEqualTo(tx.hash()));
    return block.getLong("height");
  }

  JsonObject relayFollow() {
    try (RelayHttpClient c = new RelayHttpClient(client, net.relayUrl(), net.clock)) {
      return Await.result(c.followState(TestNetwork.CHAIN)).body();
    }
  }

  int register(Identity id) {
    try (RelayHttpClient c = new RelayHttpClient(client, net.relayUrl(), net.clock)) {
      return Await.result(c.register(id, TestNetwork.CHAIN, "127.0.0.1", 45_000)).status();
    }
  }

  GovernanceState ledger() {
    return Await.result(net.node(0).vertx.eventBus().<GovernanceState>request(
        NodeAddresses.DEFAULT.ledger().state(), null)).body();
  }

  private long lastLook = System.nanoTime() - 2_000_000_000L;

  /** The relay's head is a block node 0 committed, and its active keys are the ledger's at that height. */
  boolean relayAgreesWithLedger(Identity laptop, boolean laptopActive) {
    // At most one look every 2 s: the relay allows 100 requests a minute per address, and the four
    // nodes share 127.0.0.1 with this test; polling at Await's 50 ms would be refused as rate_limited.
    long now = System.nanoTime();
    if (now - lastLook < 2_000_000_000L) {
      return false;
    }
    lastLook = now;
    JsonObject f = relayFollow();
    Long height = f.getLong("height");
    if (height == null) {
      return false; // an error answer (e.g. rate_limited): look again later
    }
    long h = height;
    if (h < 0 || !f.getString("head_hash").equals(net.node(0).committed.get(h))) {
      return false;
    }
    GovernanceState s = ledger();
    return s.isAuthorized(laptop.publicKeyHex()) == laptopActive
        && f.getLong("active_keys") == s.nodes().values().stream().filter(NodeRecord::active).count()
        && register(laptop) == (laptopActive ? 200 : 403);
  }

  static void assertNoCanary(String where, String bytes, String canary) {
    byte[] c = canary.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes).as("%s holds the canary", where).doesNotContain(canary);
    assertThat(bytes).as("%s holds the canary's hex", where).doesNotContain(HexFormat.of().formatHex(c));
    assertThat(bytes).as("%s holds the canary's upper-case hex", where)
        .doesNotContain(HexFormat.of().withUpperCase().formatHex(c));
  }

  static String bytesOf(Path f) throws Exception {
    return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1) : "";
  }

  @Test
  void aDataCanaryNeverReachesTheRelayWhileItFollowsTheChainsGovernance() throws Exception {
    AtomicReference<TestNetwork> ref = new AtomicReference<>();
    proxy = new RecordingProxy(() -> Integer.parseInt(ref.get().relayUrl().replaceAll(".*:", "")));
    net = new TestNetwork(dir, 4, (i, json) -> json.put("relay_url", proxy.url()));
    ref.set(net);
    net.startAll();
    net.awaitHeightOnUpNodes(2);
    Identity laptop = TestKeys.key(150);

    Transaction data = Transaction.sign(net.guardian, TestNetwork.CHAIN, 1, System.currentTimeMillis() / 1000,
        Payload.Data.of(canary.getBytes(StandardCharsets.UTF_8)));
    JsonObject dataBlock = net.awaitMessage(0, NodeAddresses.DEFAULT.api().chainCommitted(),
        b -> b.getJsonArray("transactions").stream().anyMatch(t -> data.hash().equals(((JsonObject) t).getString("hash"))),
        () -> assertThat(net.submit(0, data).getString("hash")).isEqualTo(data.hash()));
    // Governance after the DATA of the same guardian (nonces the relay never sees), then a short suspension.
    commitByGuardian(2, new Payload.NodeRegistration(laptop.publicKeyHex(), 50, false, System.currentTimeMillis() / 1000));
    Await.until("the relay follows the registration", Duration.ofSeconds(30), () -> relayAgreesWithLedger(laptop, true));
    assertThat(relayFollow().getLong("height")).isGreaterThanOrEqualTo(dataBlock.getLong("height"));
    commitByGuardian(3, new Payload.NodeDeauthorization(laptop.publicKeyHex(), Payload.DeauthMode.SUSPEND,
        "laptop lost", 3));
    Await.until("the relay follows the suspension", Duration.ofSeconds(30), () -> relayAgreesWithLedger(laptop, false));
    // Ends by block time alone: the nodes hand the relay the chain when their keys change back.
    Await.until("the relay sees the suspension end", Duration.ofSeconds(30), () -> relayAgreesWithLedger(laptop, true));

    String received = proxy.httpBytes();
    assertThat(received).as("the capture saw the nodes' /follow requests").contains("POST /follow/" + TestNetwork.CHAIN);
    assertThat(received).as("the block holding the DATA transaction was handed over (by its hash)")
        .contains(data.hash());
    assertNoCanary("the HTTP requests the relay received", received, canary);
    assertNoCanary("relay.db", bytesOf(dir.resolve("relay.db")), canary);
    assertNoCanary("relay.db-wal", bytesOf(dir.resolve("relay.db-wal")), canary);
  }
}
