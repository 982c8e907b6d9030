package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/** Every endpoint of PROTOCOL.md §2 over real HTTP against a real SQLite file. */
class RelayHttpTest {
  static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";
  static final String OTHER_GENESIS = "1111111111111111111111111111111111111111111111111111111111111111";
  final Identity operator = TestKeys.key(1);
  final Identity alice = TestKeys.key(2);
  final Identity bob = TestKeys.key(3);
  final Identity mallory = TestKeys.key(4);

  @TempDir
  Path dir;
  TestRelay relay;

  @BeforeEach
  void start() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  long now() {
    return relay.clock.nowSeconds();
  }

  HttpResponse<String> registerChain(String id, Identity admin, Identity... keys) throws Exception {
    List<String> hex = java.util.Arrays.stream(keys).map(Identity::publicKeyHex).toList();
    return relay.post("/admin/register_blockchain",
        RegisterBlockchainRequest.sign(admin, id, GENESIS, now(), hex).toJson());
  }

  HttpResponse<String> register(Identity id, String chain, String ip, int port, long ts) throws Exception {
    return relay.post("/register", RegisterRequest.sign(id, chain, ip, port, ts).toJson());
  }

  HttpResponse<String> lookupSigned(Identity requester, String chain, String target, long ts) throws Exception {
    LookupSignature s = LookupSignature.sign(requester, chain, target, ts);
    return relay.get("/lookup/" + chain + "/" + target, LookupSignature.HEADER_REQUESTER, s.requesterKey(),
        LookupSignature.HEADER_TIMESTAMP, Long.toString(s.timestamp()), LookupSignature.HEADER_SIGNATURE, s.signature());
  }

  HttpResponse<String> lookupToken(String token, String chain, String target) throws Exception {
    return relay.get("/lookup/" + chain + "/" + target, "Authorization", "Bearer " + token);
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject body = json(r);
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
  }

  void familyWithAliceAndBob() throws Exception {
    assertThat(registerChain("fam", operator, alice, bob).statusCode()).isEqualTo(201);
  }

  @Test
  void registerThenLookupByTokenAndBySignature() throws Exception {
    familyWithAliceAndBob();
    HttpResponse<String> reg = register(alice, "fam", "203.0.113.10", 40000, now());
    assertThat(reg.statusCode()).as(reg.body()).isEqualTo(200);
    JsonObject answer = json(reg);
    assertThat(answer.getString("status")).isEqualTo("ok");
    assertThat(answer.getLong("ttl")).isEqualTo(300L);
    assertThat(answer.getString("observed_ip")).isEqualTo("127.0.0.1");
    assertThat(answer.getInteger("observed_port")).isBetween(1, 65535);
    assertThat(answer.getString("token")).hasSizeLessThanOrEqualTo(512);
    assertThat(answer.getLong("token_expires")).isEqualTo(now() + 300);

    HttpResponse<String> bobReg = register(bob, "fam", "2001:db8::1", 7070, now());
    String bobToken = json(bobReg).getString("token");

    JsonObject expected = new JsonObject().put("blockchain_id", "fam").put("public_key", alice.publicKeyHex())
        .put("ip", "203.0.113.10").put("port", 40000).put("last_seen", now());
    HttpResponse<String> byToken = lookupToken(bobToken, "fam", alice.publicKeyHex());
    assertThat(byToken.statusCode()).as(byToken.body()).isEqualTo(200);
    assertThat(json(byToken)).isEqualTo(expected);

    HttpResponse<String> bySig = lookupSigned(bob, "fam", alice.publicKeyHex(), now());
    assertThat(bySig.statusCode()).as(bySig.body()).isEqualTo(200);
    assertThat(json(bySig)).isEqualTo(expected);

    HttpResponse<String> v6 = lookupSigned(alice, "fam", bob.publicKeyHex(), now());
    assertThat(json(v6).getString("ip")).isEqualTo("2001:db8::1");
  }

  @Test
  void reRegistrationUpdatesTheEntry() throws Exception {
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    relay.clock.advanceSeconds(5);
    assertThat(register(alice, "fam", "198.51.100.7", 41000, now()).statusCode()).isEqualTo(200);
    JsonObject found = json(lookupSigned(bob, "fam", alice.publicKeyHex(), now()));
    assertThat(found.getString("ip")).isEqualTo("198.51.100.7");
    assertThat(found.getInteger("port")).isEqualTo(41000);
    assertThat(found.getLong("last_seen")).isEqualTo(now());
  }

  @Test
  void lookupOfAKeyWithNoLiveEntryIsNotFound() throws Exception {
    familyWithAliceAndBob();
    assertError(lookupSigned(bob, "fam", alice.publicKeyHex(), now()), 404, "not_found");
  }

  @Test
  void staleEntriesAreNeverReturnedAndTheSweepDeletesThem() throws Exception {
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    relay.clock.advanceSeconds(299);
    assertThat(lookupSigned(bob, "fam", alice.publicKeyHex(), now()).statusCode()).isEqualTo(200);
    relay.clock.advanceSeconds(1);
    // Before any sweep has run, the TTL already hides the entry.
    assertError(lookupSigned(bob, "fam", alice.publicKeyHex(), now()), 404, "not_found");
    assertThat(countRows("relay_nodes")).isEqualTo(1);
    relay.clock.advanceSeconds(1);
    assertThat(Await.result(relay.relay.sweepNow())).isEqualTo(1);
    assertThat(countRows("relay_nodes")).isZero();
  }

  @Test
  void registerBlockchainCreatesThenUpdatesAndRefusesConflicts() throws Exception {
    HttpResponse<String> created = registerChain("fam", operator, alice);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).getString("status")).isEqualTo("ok");
    relay.clock.advanceSeconds(1);
    HttpResponse<String> again = registerChain("fam", operator, bob);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    // bob was added by the re-registration
    assertThat(register(bob, "fam", "203.0.113.5", 7070, now()).statusCode()).isEqualTo(200);

    relay.clock.advanceSeconds(1);
    HttpResponse<String> otherGenesis = relay.post("/admin/register_blockchain",
        RegisterBlockchainRequest.sign(operator, "fam", OTHER_GENESIS, now(), List.of()).toJson());
    assertError(otherGenesis, 409, "conflict");
  }

  @Test
  void anotherOperatorCannotTakeOverARegisteredId() throws Exception {
    relay.close();
    relay = new TestRelay(dir, operator, new JsonObject().put("admin_pubkeys",
        new JsonArray().add(operator.publicKeyHex()).add(mallory.publicKeyHex())));
    registerChain("fam", operator, alice);
    assertError(registerChain("fam", mallory, mallory), 409, "conflict");
  }

  @Test
  void nonOperatorCannotRegisterUnlessOpenRegistration() throws Exception {
    assertError(registerChain("fam", mallory), 403, "unauthorized");
    relay.close();
    relay = new TestRelay(dir, operator, new JsonObject().put("open_registration", true));
    assertThat(registerChain("mine", mallory, alice).statusCode()).isEqualTo(201);
    // open registration covers new ids only
    assertThat(registerChain("fam2", operator).statusCode()).isEqualTo(201);
    relay.clock.advanceSeconds(1);
    assertError(registerChain("fam2", mallory), 409, "conflict");
  }

  @Test
  void authorizeNodeAddAndRemove() throws Exception {
    registerChain("fam", operator, alice);
    assertError(register(bob, "fam", "203.0.113.5", 7070, now()), 403, "unauthorized");

    HttpResponse<String> add = relay.post("/admin/authorize_node",
        AuthorizeNodeRequest.sign(operator, "fam", bob.publicKeyHex(), AuthorizeNodeRequest.Action.ADD, now()).toJson());
    assertThat(add.statusCode()).as(add.body()).isEqualTo(200);
    assertThat(json(add)).isEqualTo(new JsonObject().put("status", "ok"));
    assertThat(register(bob, "fam", "203.0.113.5", 7070, now()).statusCode()).isEqualTo(200);
    assertThat(lookupSigned(alice, "fam", bob.publicKeyHex(), now()).statusCode()).isEqualTo(200);

    relay.clock.advanceSeconds(1);
    HttpResponse<String> remove = relay.post("/admin/authorize_node", AuthorizeNodeRequest.sign(operator, "fam",
        bob.publicKeyHex(), AuthorizeNodeRequest.Action.REMOVE, now()).toJson());
    assertThat(remove.statusCode()).isEqualTo(200);
    // remove also drops the live entry, in the database too
    assertError(lookupSigned(alice, "fam", bob.publicKeyHex(), now()), 404, "not_found");
    assertThat(countRows("relay_nodes WHERE pubkey = '" + bob.publicKeyHex() + "'")).isZero();
    assertError(lookupSigned(bob, "fam", alice.publicKeyHex(), now()), 403, "unauthorized");
  }

  @Test
  void onlyTheChainsAdminMayAuthorize() throws Exception {
    registerChain("fam", operator, alice);
    HttpResponse<String> r = relay.post("/admin/authorize_node",
        AuthorizeNodeRequest.sign(alice, "fam", mallory.publicKeyHex(), AuthorizeNodeRequest.Action.ADD, now()).toJson());
    assertError(r, 403, "unauthorized");
    HttpResponse<String> unknown = relay.post("/admin/authorize_node",
        AuthorizeNodeRequest.sign(operator, "nope", mallory.publicKeyHex(), AuthorizeNodeRequest.Action.ADD, now()).toJson());
    assertError(unknown, 404, "unknown_blockchain");
  }

  @Test
  void malformedBodiesAreRefusedAndChangeNothing() throws Exception {
    familyWithAliceAndBob();
    JsonObject good = RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()).toJson();
    assertError(relay.post("/register", "not json"), 400, "malformed");
    assertError(relay.post("/register", "[1,2]"), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("port", "40000")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("port", 70000)), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("port", 0)), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("timestamp", 1.5)), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("timestamp", -1)), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "example.com")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "2001:DB8::1")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "2001:db8:0:0:0:0:0:1")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "::ffff:192.0.2.1")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "fe80::1%eth0")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("ip", "192.0.2.01")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("blockchain_id", "bad id!")), 400, "malformed");
    assertError(relay.post("/register", good.copy().put("public_key", alice.publicKeyHex().toUpperCase())), 400,
        "malformed");
    assertError(relay.post("/register", good.copy().put("signature", "abc")), 400, "malformed");
    JsonObject missing = good.copy();
    missing.remove("signature");
    assertError(relay.post("/register", missing), 400, "malformed");
    String duplicated = good.encode().replaceFirst("\\{", "{\"port\":1,");
    assertError(relay.post("/register", duplicated), 400, "malformed");
    // unknown fields are ignored
    assertThat(relay.post("/register", good.copy().put("extra", 1)).statusCode()).isEqualTo(200);
  }

  @Test
  void badSignatureAndStaleTimestampAreRefused() throws Exception {
    familyWithAliceAndBob();
    JsonObject good = RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()).toJson();
    assertError(relay.post("/register", good.copy().put("port", 40001)), 401, "invalid_signature");
    assertError(register(alice, "fam", "203.0.113.10", 40000, now() - 301), 401, "stale_timestamp");
    assertError(register(alice, "fam", "203.0.113.10", 40000, now() + 301), 401, "stale_timestamp");
    assertThat(register(alice, "fam", "203.0.113.10", 40000, now() - 300).statusCode()).isEqualTo(200);
    assertThat(countRows("relay_nodes")).isEqualTo(1);
  }

  @Test
  void checksRunInProtocolOrder() throws Exception {
    familyWithAliceAndBob();
    // unknown blockchain wins over a stale timestamp and a bad signature
    JsonObject unknownStale = RegisterRequest.sign(alice, "nope", "203.0.113.10", 1, now() - 1000).toJson()
        .put("port", 2);
    assertError(relay.post("/register", unknownStale), 404, "unknown_blockchain");
    // freshness is checked before the signature
    JsonObject staleBadSig = RegisterRequest.sign(alice, "fam", "203.0.113.10", 1, now() - 1000).toJson().put("port", 2);
    assertError(relay.post("/register", staleBadSig), 401, "stale_timestamp");
    // the signature is checked before authorization
    JsonObject unauthorizedBadSig = RegisterRequest.sign(mallory, "fam", "203.0.113.10", 1, now()).toJson().put("port", 2);
    assertError(relay.post("/register", unauthorizedBadSig), 401, "invalid_signature");
    assertError(register(mallory, "fam", "203.0.113.10", 1, now()), 403, "unauthorized");
  }

  @Test
  void replayedRegistrationsAreRefusedEvenAfterRestartAndRemoval() throws Exception {
    familyWithAliceAndBob();
    JsonObject body = RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()).toJson();
    assertThat(relay.post("/register", body).statusCode()).isEqualTo(200);
    assertError(relay.post("/register", body), 409, "replayed");
    assertError(register(alice, "fam", "203.0.113.10", 40000, now() - 1), 409, "replayed");

    relay.restart();
    assertError(relay.post("/register", body), 409, "replayed");

    relay.clock.advanceSeconds(1);
    relay.post("/admin/authorize_node", AuthorizeNodeRequest.sign(operator, "fam", alice.publicKeyHex(),
        AuthorizeNodeRequest.Action.REMOVE, now()).toJson());
    relay.clock.advanceSeconds(1);
    relay.post("/admin/authorize_node", AuthorizeNodeRequest.sign(operator, "fam", alice.publicKeyHex(),
        AuthorizeNodeRequest.Action.ADD, now()).toJson());
    assertError(relay.post("/register", body), 409, "replayed");
    assertThat(register(alice, "fam", "203.0.113.10", 40000, now()).statusCode()).isEqualTo(200);
  }

  @Test
  void replayedAdminRequestsAreRefused() throws Exception {
    registerChain("fam", operator);
    JsonObject add = AuthorizeNodeRequest.sign(operator, "fam", bob.publicKeyHex(), AuthorizeNodeRequest.Action.ADD,
        now()).toJson();
    assertThat(relay.post("/admin/authorize_node", add).statusCode()).isEqualTo(200);
    assertError(relay.post("/admin/authorize_node", add), 409, "replayed");
    JsonObject reg = RegisterBlockchainRequest.sign(operator, "fam", GENESIS, now(), List.of()).toJson();
    assertError(relay.post("/admin/register_blockchain", reg), 409, "replayed");
  }

  @Test
  void lookupAuthenticationVariants() throws Exception {
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    String bobToken = json(register(bob, "fam", "203.0.113.11", 40000, now())).getString("token");
    String path = "/lookup/fam/" + alice.publicKeyHex();
    LookupSignature s = LookupSignature.sign(bob, "fam", alice.publicKeyHex(), now());

    assertError(relay.get(path), 401, "invalid_signature");
    assertError(relay.get(path, LookupSignature.HEADER_REQUESTER, s.requesterKey(),
        LookupSignature.HEADER_TIMESTAMP, Long.toString(s.timestamp())), 401, "invalid_signature");
    assertError(relay.get(path, "Authorization", "Bearer garbage"), 401, "invalid_signature");
    assertError(relay.get(path, "Authorization", "Bearer " + bobToken.substring(0, bobToken.length() - 2) + "AA"),
        401, "invalid_signature");
    // a bad signature, and a signature for another target
    assertError(relay.get(path, LookupSignature.HEADER_REQUESTER, s.requesterKey(),
        LookupSignature.HEADER_TIMESTAMP, Long.toString(s.timestamp()), LookupSignature.HEADER_SIGNATURE,
        s.signature().substring(0, 126) + "00"), 401, "invalid_signature");
    LookupSignature forBob = LookupSignature.sign(bob, "fam", bob.publicKeyHex(), now());
    assertError(relay.get(path, LookupSignature.HEADER_REQUESTER, forBob.requesterKey(),
        LookupSignature.HEADER_TIMESTAMP, Long.toString(forBob.timestamp()), LookupSignature.HEADER_SIGNATURE,
        forBob.signature()), 401, "invalid_signature");
    assertError(lookupSigned(bob, "fam", alice.publicKeyHex(), now() - 301), 401, "stale_timestamp");
    assertError(relay.get(path, LookupSignature.HEADER_REQUESTER, s.requesterKey(),
        LookupSignature.HEADER_TIMESTAMP, "12a", LookupSignature.HEADER_SIGNATURE, s.signature()), 400, "malformed");
    assertError(relay.get("/lookup/fam/" + alice.publicKeyHex().toUpperCase(), "Authorization", "Bearer " + bobToken),
        400, "malformed");

    // when both forms are sent, the token is used (here: valid token, garbage headers)
    HttpResponse<String> both = relay.get(path, "Authorization", "Bearer " + bobToken,
        LookupSignature.HEADER_REQUESTER, s.requesterKey(), LookupSignature.HEADER_TIMESTAMP, "1",
        LookupSignature.HEADER_SIGNATURE, s.signature());
    assertThat(both.statusCode()).as(both.body()).isEqualTo(200);

    // expiry
    relay.clock.advanceSeconds(300);
    assertError(lookupToken(bobToken, "fam", alice.publicKeyHex()), 401, "invalid_signature");
  }

  @Test
  void tokenOfARemovedKeyIsUnauthorized() throws Exception {
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    String bobToken = json(register(bob, "fam", "203.0.113.11", 40000, now())).getString("token");
    relay.post("/admin/authorize_node", AuthorizeNodeRequest.sign(operator, "fam", bob.publicKeyHex(),
        AuthorizeNodeRequest.Action.REMOVE, now()).toJson());
    assertError(lookupToken(bobToken, "fam", alice.publicKeyHex()), 403, "unauthorized");
  }

  @Test
  void crossBlockchainLookupsAreRefused() throws Exception {
    registerChain("fam", operator, alice);
    relay.clock.advanceSeconds(1);
    registerChain("other", operator, mallory);
    register(alice, "fam", "203.0.113.10", 40000, now());
    String malloryToken = json(register(mallory, "other", "203.0.113.66", 40000, now())).getString("token");
    assertError(lookupSigned(mallory, "fam", alice.publicKeyHex(), now()), 403, "unauthorized");
    assertError(lookupToken(malloryToken, "fam", alice.publicKeyHex()), 401, "invalid_signature");
    assertError(lookupSigned(alice, "nope", alice.publicKeyHex(), now()), 404, "unknown_blockchain");
  }

  @Test
  void restartKeepsRegistrationsAndTokens() throws Exception {
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    String bobToken = json(register(bob, "fam", "203.0.113.11", 40000, now())).getString("token");
    relay.close();
    relay = new TestRelay(dir, operator, new JsonObject(), relay.clock);
    HttpResponse<String> found = lookupToken(bobToken, "fam", alice.publicKeyHex());
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    assertThat(json(found).getString("ip")).isEqualTo("203.0.113.10");
  }

  @Test
  void unknownPathsAndMethodsAreNotFound() throws Exception {
    assertError(relay.get("/nope"), 404, "not_found");
    assertError(relay.get("/register"), 404, "not_found");
    assertError(relay.post("/lookup/fam/x", "{}"), 404, "not_found");
    assertError(relay.get("/admin/register_blockchain"), 404, "not_found");
  }

  @Test
  void healthAndMetrics() throws Exception {
    HttpResponse<String> health = relay.get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(json(health)).isEqualTo(new JsonObject().put("status", "ok"));
    familyWithAliceAndBob();
    register(alice, "fam", "203.0.113.10", 40000, now());
    register(alice, "fam", "203.0.113.10", 40000, now());
    HttpResponse<String> metrics = relay.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("kinmesh_relay_requests_total{endpoint=\"register\",outcome=\"ok\"} 1.0")
        .contains("kinmesh_relay_requests_total{endpoint=\"register\",outcome=\"replayed\"} 1.0")
        .contains("kinmesh_relay_live_entries 1.0");
  }

  @Test
  void healthIs503AndErrorsAreInternalWhenTheDatabaseIsGone() throws Exception {
    familyWithAliceAndBob();
    Await.result(relay.relay.service().store().database().close());
    assertThat(relay.get("/health").statusCode()).isEqualTo(503);
    HttpResponse<String> r = register(alice, "fam", "203.0.113.10", 40000, now());
    assertError(r, 500, "internal");
  }

  int countRows(String tableAndWhere) {
    Row row = Await.result(relay.relay.service().store().database().pool()
        .query("SELECT COUNT(*) AS n FROM " + tableAndWhere).execute()).iterator().next();
    return row.getInteger("n");
  }
}
