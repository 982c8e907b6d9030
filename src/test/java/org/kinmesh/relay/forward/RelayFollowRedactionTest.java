package org.kinmesh.relay.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.CertifiedChain;
import org.kinmesh.testing.TestKeys;

/**
 * The relay follows the chain without ever holding a family's DATA (issue 15's goal): a real relay
 * handed real certified blocks, some posted in full as a node from before the followed form sends
 * them, the rest through the client. No byte of the canary payload, nor its hex, lands in the
 * relay's SQLite file or its WAL, and the relay still derives the ledger's authorized set (a
 * registration, a suspension that expires by block time alone, governance after DATA of the same
 * sender), before and after a restart that replays only what it stored.
 */
class RelayFollowRedactionTest {
  static final String FAM = "fam";
  final Identity guardian = TestKeys.key(20);
  final List<Identity> nodes = List.of(TestKeys.key(11), TestKeys.key(12), TestKeys.key(13), TestKeys.key(14));
  final Identity laptop = TestKeys.key(30);
  final Identity phone = TestKeys.key(31);
  final CertifiedChain chain = new CertifiedChain(FAM, guardian, nodes);
  final String canary = "canary-" + UUID.randomUUID();

  @TempDir
  Path dir;
  ForwardRelay relay;

  @BeforeEach
  void start() {
    relay = new ForwardRelay(dir, new JsonObject(), Map.of(FAM, nodes.toArray(Identity[]::new)),
        chain.genesis().hash());
  }

  @AfterEach
  void close() {
    relay.close();
  }

  Transaction data(String text) {
    return chain.byGuardian(Payload.Data.of(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** POST /follow with the blocks' full JSON, DATA payloads included. */
  int postFull(Block... blocks) throws Exception {
    StringBuilder body = new StringBuilder("{\"blocks\":[");
    for (int i = 0; i < blocks.length; i++) {
      body.append(i > 0 ? "," : "").append(new String(blocks[i].toJsonBytes(), StandardCharsets.UTF_8));
    }
    body.append("]}");
    HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
        HttpRequest.newBuilder(URI.create(relay.url() + "/follow/" + FAM)).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.statusCode();
  }

  void postWithClient(Block... blocks) {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      RelayAnswer a = Await.result(c.follow(FAM, List.of(blocks)));
      assertThat(a.status()).as(a.body().encode()).isEqualTo(200);
    }
  }

  int register(Identity id) {
    relay.clock.advanceSeconds(1);
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      return Await.result(c.register(id, FAM, "127.0.0.1", 40_000)).status();
    }
  }

  JsonObject followState() {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      return Await.result(c.followState(FAM)).body();
    }
  }

  /** The relay's answer for every key the chain knows is the ledger's: active iff 200. */
  void assertRelayMatchesLedger() {
    assertThat(followState().getString("head_hash")).isEqualTo(chain.state.headHash());
    assertThat(followState().getLong("height")).isEqualTo(chain.state.height());
    assertThat(followState().getLong("active_keys"))
        .isEqualTo(chain.state.nodes().values().stream().filter(NodeRecord::active).count());
    for (NodeRecord n : chain.state.nodes().values()) {
      Identity id = n.pubkey().equals(laptop.publicKeyHex()) ? laptop : n.pubkey().equals(phone.publicKeyHex()) ? phone
          : nodes.stream().filter(k -> k.publicKeyHex().equals(n.pubkey())).findFirst().orElseThrow();
      assertThat(register(id)).as("relay answer for %s (%s on chain)", n.pubkey(), n.status().wire())
          .isEqualTo(n.active() ? 200 : 403);
    }
  }

  void assertNoCanaryIn(Path file) throws Exception {
    if (!Files.exists(file)) {
      return;
    }
    String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    byte[] c = canary.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes).as("%s holds the canary", file).doesNotContain(canary);
    assertThat(bytes).as("%s holds the canary's hex", file).doesNotContain(HexFormat.of().formatHex(c));
    assertThat(bytes).as("%s holds the canary's upper-case hex", file)
        .doesNotContain(HexFormat.of().withUpperCase().formatHex(c));
    // The stored form still names the DATA transaction, so the file was really looked at.
  }

  @Test
  void aDataCanaryNeverReachesTheRelaysDatabaseAndTheRelayStillDerivesTheLedgersSet() throws Exception {
    List<Block> full = new ArrayList<>();
    full.add(chain.genesis());
    Transaction first = data(canary);
    full.add(chain.commit(10, first, chain.registerMember(laptop, 30)));
    full.add(chain.commit(10, data(canary + "-2")));
    // The guardian's DATA uses nonces the relay never sees; its next governance transaction still applies.
    full.add(chain.commit(10, data(canary + "-3"), chain.suspend(laptop, 60), data(canary + "-4")));
    postFull(full.toArray(Block[]::new));
    assertThat(register(laptop)).isEqualTo(403);

    // The suspension ends by block time alone; then more governance after more DATA.
    Block expired = chain.commit(61, data(canary + "-5"));
    Block registered = chain.commit(10, data(canary + "-6"), chain.registerMember(phone, 31));
    postWithClient(expired, registered);
    assertRelayMatchesLedger();
    assertThat(register(laptop)).isEqualTo(200);

    Path db = dir.resolve("relay.db");
    assertNoCanaryIn(db);
    assertNoCanaryIn(Path.of(db + "-wal"));
    String wal = new String(Files.readAllBytes(Path.of(db + "-wal")), StandardCharsets.ISO_8859_1)
        + new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1);
    assertThat(wal).as("the relay stored the block holding the DATA transaction (by its hash)").contains(first.hash());

    relay.restart(); // the set is rebuilt from the stored, reduced blocks alone
    assertRelayMatchesLedger();
    assertNoCanaryIn(db);
    assertNoCanaryIn(Path.of(db + "-wal"));
  }
}
