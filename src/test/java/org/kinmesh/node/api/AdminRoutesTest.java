package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.kinmesh.chain.LedgerStore;
import org.kinmesh.chain.Mempool;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Role;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.crypto.Identity;
import org.kinmesh.store.Database;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;

/** The admin API over HTTP against a real ledger on SQLite, a real mempool and intake. */
class AdminRoutesTest {
  static final String CHAIN = AdminApiFixture.CHAIN;
  static final long T0 = AdminApiFixture.T0;
  final Identity mom = AdminApiFixture.MOM;
  final Identity dad = AdminApiFixture.DAD;
  final Identity n3 = AdminApiFixture.NODES.get(2);
  final Identity n4 = AdminApiFixture.NODES.get(3);
  final Identity kid = TestKeys.key(21);

  @TempDir
  Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final ManualTimeSource clock = new ManualTimeSource(T0 * 1000 + 10_000);
  AdminApiFixture node;
  LedgerStore store;
  Mempool mempool;
  long nonce = 1;

  @BeforeEach
  void start() throws Exception {
    node = new AdminApiFixture(dir, clock);
    store = node.store;
    mempool = node.mempool;
  }

  @AfterEach
  void stop() {
    node.close();
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  Transaction tx(Identity sender, Payload p) {
    return Transaction.sign(sender, CHAIN, nonce++, clock.nowSeconds(), p);
  }

  static String body(Transaction tx) {
    return new String(tx.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(json(r).getString("error")).isEqualTo(code);
  }

  void commitPending() {
    node.commitPending();
  }

  @Test
  void readsAnswerFromTheCommittedState() throws Exception {
    HttpResponse<String> members = send("GET", "/admin/family/members", null);
    assertThat(members.statusCode()).isEqualTo(200);
    assertThat(json(members).getJsonArray("members")).hasSize(2);
    JsonObject nodes = json(send("GET", "/admin/nodes/status", null));
    assertThat(nodes.getString("blockchain_id")).isEqualTo(CHAIN);
    assertThat(nodes.getInteger("active_consensus_nodes")).isEqualTo(4);
    assertThat(nodes.getJsonArray("nodes").getJsonObject(0).getString("status")).isEqualTo("active");
    assertThat(json(send("GET", "/admin/audit", null)).getJsonArray("entries")).isNotEmpty();
  }

  @Test
  void aGuardianSuspendsANodeAndItTakesEffectWhenTheBlockCommits() throws Exception {
    Transaction suspend = tx(mom, new Payload.NodeDeauthorization(n4.publicKeyHex(), Payload.DeauthMode.SUSPEND,
        "lost phone", 3600));
    HttpResponse<String> r = send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(suspend));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).getString("hash")).isEqualTo(suspend.hash());
    assertThat(json(r).getString("status")).isEqualTo("pending");
    // not yet: only a committed block changes who takes part
    assertThat(store.state().isAuthorized(n4.publicKeyHex())).isTrue();
    assertError(send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(suspend)), 400, "duplicate");
    commitPending();
    assertThat(store.state().isAuthorized(n4.publicKeyHex())).isFalse();
    JsonObject audit = json(send("GET", "/admin/audit?target=" + n4.publicKeyHex(), null));
    assertThat(audit.getJsonArray("entries").encode()).contains("lost phone").contains(mom.publicKeyHex());

    clock.advanceSeconds(10);
    Transaction back = tx(dad, new Payload.NodeReactivation(n4.publicKeyHex(), "found it"));
    assertThat(send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/reactivate", body(back)).statusCode()).isEqualTo(202);
    commitPending();
    assertThat(store.state().isAuthorized(n4.publicKeyHex())).isTrue();
  }

  @Test
  void permanentRemovalWaitsForTheSecondGuardian() throws Exception {
    Transaction remove = tx(mom, new Payload.NodeDeauthorization(n4.publicKeyHex(), Payload.DeauthMode.PERMANENT,
        "sold the laptop", 0));
    HttpResponse<String> r = send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(remove));
    assertThat(json(r).getString("validation")).isEqualTo("awaiting_approvals");
    commitPending();
    assertThat(store.state().isAuthorized(n4.publicKeyHex())).isTrue();
    JsonObject proposals = json(send("GET", "/admin/proposals", null));
    assertThat(proposals.getJsonArray("proposals").getJsonObject(0).getString("resource_id")).isEqualTo(remove.hash());
    clock.advanceSeconds(10);
    Transaction approve = tx(dad, new Payload.Approval(remove.hash()));
    HttpResponse<String> a = send("POST", "/admin/approvals/" + remove.hash(), body(approve));
    assertThat(a.statusCode()).as(a.body()).isEqualTo(202);
    commitPending();
    assertThat(store.state().isAuthorized(n4.publicKeyHex())).isFalse();
  }

  @Test
  void badSubmissionsAreRefusedAndQueueNothing() throws Exception {
    Transaction byKid = tx(kid, new Payload.NodeDeauthorization(n4.publicKeyHex(), Payload.DeauthMode.SUSPEND, "x", 60));
    assertError(send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(byKid)), 400,
        "insufficient_permission");
    Transaction member = tx(mom, new Payload.FamilyMemberAdd(kid.publicKeyHex(), "Kid", Role.MEMBER));
    assertError(send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(member)), 400, "malformed");
    Transaction other = tx(mom, new Payload.NodeDeauthorization(n3.publicKeyHex(), Payload.DeauthMode.SUSPEND, "x", 60));
    assertError(send("POST", "/admin/nodes/" + n4.publicKeyHex() + "/deauthorize", body(other)), 400, "malformed");
    String forged = body(tx(mom, new Payload.FamilyMemberAdd(kid.publicKeyHex(), "Kid", Role.MEMBER)))
        .replace("\"Kid\"", "\"Kim\"");
    HttpResponse<String> f = send("POST", "/admin/family/members", forged);
    assertThat(f.statusCode()).isEqualTo(400);
    assertThat(json(f).getString("error")).isIn("invalid_signature", "malformed");
    assertError(send("POST", "/admin/family/members", "{not json"), 400, "malformed");
    assertError(send("POST", "/admin/family/members", "{\"pad\":\"" + "x".repeat(70_000) + "\"}"), 413, "too_large");
    assertError(send("GET", "/admin/nope", null), 404, "not_found");
    assertError(send("PUT", "/admin/family/members", "{}"), 404, "not_found");
    assertError(send("GET", "/admin/audit?target=NOTHEX", null), 400, "malformed");
    assertThat(mempool.size()).isZero();
  }

  @Test
  void familyMembersAreAddedAndRemoved() throws Exception {
    Transaction add = tx(mom, new Payload.FamilyMemberAdd(kid.publicKeyHex(), "Kid", Role.MEMBER));
    HttpResponse<String> r = send("POST", "/admin/family/members", body(add));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    commitPending();
    assertThat(json(send("GET", "/admin/family/members", null)).getJsonArray("members")).hasSize(3);
    clock.advanceSeconds(5);
    Transaction remove = tx(dad, new Payload.FamilyMemberRemove(kid.publicKeyHex(), "moved out"));
    assertThat(send("DELETE", "/admin/family/members", body(remove)).statusCode()).isEqualTo(202);
    commitPending();
    assertThat(json(send("GET", "/admin/family/members", null)).getJsonArray("members")).hasSize(2);
  }

  @Test
  void onlyLoopbackAddressesCountAsLocal() {
    assertThat(AdminRoutes.isLoopback("127.0.0.1")).isTrue();
    assertThat(AdminRoutes.isLoopback("127.8.9.10")).isTrue();
    assertThat(AdminRoutes.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(AdminRoutes.isLoopback("::ffff:127.0.0.1")).isTrue();
    assertThat(AdminRoutes.isLoopback("192.0.2.1")).isFalse();
    assertThat(AdminRoutes.isLoopback("::2")).isFalse();
  }
}
