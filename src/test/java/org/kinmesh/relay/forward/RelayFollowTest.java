package org.kinmesh.relay.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kinmesh.chain.Block;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.CertifiedChain;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay follows the chain (docs/relay.md, "Following the chain"): a real relay on loopback
 * handed real certified blocks over HTTP. Its authorized set moves with committed governance,
 * refuses anything a quorum of the chain did not sign, and survives a restart.
 */
class RelayFollowTest {
  static final String FAM = "fam";
  final Identity guardian = TestKeys.key(20);
  final List<Identity> nodes = List.of(TestKeys.key(11), TestKeys.key(12), TestKeys.key(13), TestKeys.key(14));
  final Identity n1 = nodes.get(0);
  final Identity newcomer = TestKeys.key(30);
  final CertifiedChain chain = new CertifiedChain(FAM, guardian, nodes);
  final Vertx clients = Vertx.vertx();
  final List<RawRelayClient> open = new ArrayList<>();

  @TempDir
  Path dir;
  ForwardRelay relay;

  @BeforeEach
  void start() {
    // Registered the old way: the operator listed the genesis nodes, nobody else.
    relay = new ForwardRelay(dir, new JsonObject(), Map.of(FAM, nodes.toArray(Identity[]::new)),
        chain.genesis().hash());
  }

  @AfterEach
  void close() {
    open.forEach(RawRelayClient::close);
    Await.result(clients.close());
    relay.close();
  }

  RelayAnswer follow(Block... blocks) {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      return Await.result(c.follow(FAM, List.of(blocks)));
    }
  }

  long relayHeight() {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      RelayAnswer a = Await.result(c.followState(FAM));
      assertThat(a.status()).as(a.body().encode()).isEqualTo(200);
      return a.body().getLong("height");
    }
  }

  RelayAnswer register(Identity id) {
    relay.clock.advanceSeconds(1); // each registration must be newer than the key's last one
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      return Await.result(c.register(id, FAM, "127.0.0.1", 40_000 + (id.publicKeyHex().charAt(0) & 0xff)));
    }
  }

  RelayAnswer lookup(Identity requester, Identity target) {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      return Await.result(c.lookupSigned(requester, FAM, target.publicKeyHex()));
    }
  }

  static void assertStatus(RelayAnswer a, int status, String error) {
    assertThat(a.status()).as(a.body().encode()).isEqualTo(status);
    if (error != null) {
      assertThat(a.errorCode()).isEqualTo(error);
    }
  }

  @Test
  void aNodeRegisteredOnChainIsServedWithNoOperatorCall() {
    assertStatus(register(newcomer), 403, "unauthorized");
    assertThat(relayHeight()).isEqualTo(-1);

    RelayAnswer a = follow(chain.genesis(), chain.commit(10, chain.registerMember(newcomer, 30)));

    assertStatus(a, 200, null);
    assertThat(a.body().getLong("height")).isEqualTo(1);
    assertThat(a.body().getInteger("applied")).isEqualTo(2);
    assertStatus(register(newcomer), 200, null);
    assertStatus(register(n1), 200, null);
    assertStatus(lookup(newcomer, n1), 200, null);
    RelayAnswer found = lookup(n1, newcomer);
    assertStatus(found, 200, null);
    assertThat(found.body().getString("ip")).isEqualTo("127.0.0.1");
  }

  @Test
  void aKeySuspendedOnChainIsRefusedAtOnceAndItsRelayedSessionCloses() {
    assertStatus(follow(chain.genesis(), chain.commit(10, chain.registerMember(newcomer, 30))), 200, null);
    assertStatus(register(newcomer), 200, null);
    assertStatus(register(n1), 200, null);
    RawRelayClient session = RawRelayClient.connected(clients, newcomer, relay.port(), FAM, relay.clock.nowSeconds());
    open.add(session);

    long t0 = System.nanoTime();
    assertStatus(follow(chain.commit(10, chain.suspend(newcomer, 3600))), 200, null);
    assertThat(session.awaitClose()).isEqualTo("1008 deauthorized");
    long closedMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("suspension handed to the relay -> relayed session closed: " + closedMs + " ms");

    assertStatus(register(newcomer), 403, "unauthorized");
    assertStatus(lookup(newcomer, n1), 403, "unauthorized");
    assertStatus(lookup(n1, newcomer), 404, "not_found");

    // The suspension ends by block time alone (no transaction): only a relay replaying every block sees it.
    assertStatus(follow(chain.commit(3600)), 200, null);
    assertStatus(register(newcomer), 200, null);
    assertStatus(lookup(n1, newcomer), 200, null);
  }

  @Test
  void forgedUnderQuorumForeignAndOutOfOrderBlocksAreRefusedAndChangeNothing() {
    CertifiedChain other = new CertifiedChain("other-chain", guardian, nodes);
    assertStatus(follow(other.genesis()), 409, "conflict");
    assertThat(follow(other.genesis()).body().getString("message")).contains("not 'fam'");
    CertifiedChain sameIdOtherGenesis = new CertifiedChain(FAM, TestKeys.key(21), nodes);
    RelayAnswer wrongGenesis = follow(sameIdOtherGenesis.genesis());
    assertStatus(wrongGenesis, 409, "conflict");
    assertThat(wrongGenesis.body().getString("message")).contains("is not the genesis_hash");
    assertThat(relayHeight()).isEqualTo(-1);
    assertStatus(follow(chain.genesis()), 200, null);

    Block registration = chain.next(10, chain.registerMember(newcomer, 30));
    // A valid certificate with one signature altered.
    Block signed = CertifiedChain.certify(registration, nodes, 0);
    JsonObject cert = new JsonObject(signed.commitCertificate());
    JsonObject first = cert.getJsonArray("commits").getJsonObject(0);
    String sig = first.getString("sig");
    first.put("sig", sig.substring(0, 127) + (sig.charAt(127) == '0' ? '1' : '0'));
    RelayAnswer forged = follow(registration.withCommitCertificate(cert.encode()));
    assertStatus(forged, 401, "invalid_signature");
    assertThat(forged.body().getString("message")).contains("commit certificate of block 1 refused");
    // Two of the four consensus keys: under the quorum of 3.
    RelayAnswer under = follow(CertifiedChain.certify(registration, nodes.subList(0, 2), 0));
    assertStatus(under, 403, "unauthorized");
    assertThat(under.body().getString("message")).contains("holds 2 signatures").contains("needs 3 of 4");
    // Four valid signatures of keys that are not the chain's consensus nodes.
    List<Identity> strangers = List.of(TestKeys.key(41), TestKeys.key(42), TestKeys.key(43), TestKeys.key(44));
    assertStatus(follow(CertifiedChain.certify(registration, strangers, 0)), 403, "unauthorized");
    // A properly certified block of another chain.
    other.commit(10, other.registerMember(newcomer, 30));
    assertStatus(follow(other.head()), 409, "conflict");
    // A certificate for another block.
    Block otherCert = registration.withCommitCertificate(CertifiedChain.certify(chain.next(1), nodes, 0)
        .commitCertificate());
    assertStatus(follow(otherCert), 409, "conflict");
    // No certificate at all.
    assertStatus(follow(registration), 400, "malformed");
    // Out of order: block 2 while the relay is at 0.
    CertifiedChain ahead = new CertifiedChain(FAM, guardian, nodes);
    ahead.commit(10);
    Block two = ahead.commit(10, ahead.registerMember(newcomer, 30));
    RelayAnswer skipped = follow(two);
    assertStatus(skipped, 409, "conflict");
    assertThat(skipped.body().getString("message")).contains("at height 0; send block 1 next, got 2");
    // Bad JSON shapes.
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), relay.clock)) {
      assertStatus(Await.result(c.follow(FAM, List.of())), 400, "malformed");
      assertStatus(Await.result(c.follow("nope", List.of(chain.genesis()))), 404, "unknown_blockchain");
    }

    // Nothing moved: same head, the newcomer still unknown.
    assertThat(relayHeight()).isEqualTo(0);
    assertStatus(register(newcomer), 403, "unauthorized");

    // The genuine block, certified by the quorum, goes through.
    assertStatus(follow(CertifiedChain.certify(registration, nodes.subList(1, 4), 0)), 200, null);
    assertThat(relayHeight()).isEqualTo(1);
    assertStatus(register(newcomer), 200, null);
  }

  @Test
  void blocksAlreadyFollowedAreSkippedSoAnyNodeMayResend() {
    Block b1 = chain.commit(10, chain.registerMember(newcomer, 30));
    assertStatus(follow(chain.genesis(), b1), 200, null);
    Block b2 = chain.commit(10);
    RelayAnswer again = follow(chain.genesis(), b1, b2);
    assertStatus(again, 200, null);
    assertThat(again.body().getInteger("applied")).isEqualTo(1);
    assertThat(again.body().getLong("height")).isEqualTo(2);
  }

  @Test
  void theRelayKeepsTheFollowedSetAcrossARestart() {
    Identity n4 = nodes.get(3);
    assertStatus(follow(chain.genesis(), chain.commit(10, chain.registerMember(newcomer, 30)),
        chain.commit(10, chain.suspend(n4, 86_400))), 200, null);
    assertStatus(register(n4), 403, "unauthorized");
    // More blocks than the relay reads per page when it replays.
    for (int sent = 0; sent < 300; sent += 60) {
      List<Block> batch = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        batch.add(chain.commit(10));
      }
      assertStatus(follow(batch.toArray(Block[]::new)), 200, null);
    }
    assertThat(relayHeight()).isEqualTo(302);
    System.out.println("stored size of an empty block with its 4-signature certificate: "
        + chain.head().toJsonBytes().length + " bytes");

    long t0 = System.nanoTime();
    relay.restart();
    System.out.println("relay restart replaying 303 followed blocks: " + (System.nanoTime() - t0) / 1_000_000 + " ms");

    assertThat(relayHeight()).isEqualTo(302);
    assertStatus(register(newcomer), 200, null);
    assertStatus(register(n4), 403, "unauthorized");
    // It goes on from the replayed head: the next block needs a quorum of the 3 voters left.
    assertStatus(follow(chain.commit(10)), 200, null);
    assertThat(relayHeight()).isEqualTo(303);
  }

  @Test
  void theOperatorCanCutAKeyOffButCannotReviveOneTheChainSuspended() {
    Identity n4 = nodes.get(3);
    assertStatus(follow(chain.genesis(), chain.commit(10, chain.registerMember(newcomer, 30)),
        chain.commit(10, chain.suspend(n4, 86_400))), 200, null);

    assertStatus(relay.authorize(FAM, newcomer, AuthorizeNodeRequest.Action.REMOVE), 200, null);
    assertStatus(register(newcomer), 403, "unauthorized");
    assertStatus(relay.authorize(FAM, newcomer, AuthorizeNodeRequest.Action.ADD), 200, null);
    assertStatus(register(newcomer), 200, null);

    assertStatus(relay.authorize(FAM, n4, AuthorizeNodeRequest.Action.ADD), 200, null);
    assertStatus(register(n4), 403, "unauthorized");
    // A key the chain does not know still comes in on the operator's word alone.
    Identity tool = TestKeys.key(50);
    assertStatus(relay.authorize(FAM, tool, AuthorizeNodeRequest.Action.ADD), 200, null);
    assertStatus(register(tool), 200, null);
  }
}
