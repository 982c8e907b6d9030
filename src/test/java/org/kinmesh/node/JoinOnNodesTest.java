package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;

/**
 * A join on real nodes: the new key submits its own join with the guardian's invite to any node's
 * public API; it commits and the key is an active node everywhere. The same invite again, an
 * expired one and one for another genesis are refused by the node with their reason.
 */
class JoinOnNodesTest {
  @TempDir
  Path dir;
  TestNetwork net;
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  String url(int i) {
    return "http://127.0.0.1:" + net.node(i).node.apiPort();
  }

  JsonObject send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body()).put("http_status", r.statusCode());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  JsonObject submit(int node, Transaction tx) {
    return send(HttpRequest.newBuilder(URI.create(url(node) + "/transactions"))
        .POST(HttpRequest.BodyPublishers.ofString(tx.toJsonString())));
  }

  Transaction join(Identity newNode, String genesisHash, String id, long expires) {
    long now = System.currentTimeMillis() / 1000;
    Invite inv = new Invite(id, TestNetwork.CHAIN, genesisHash, url(0), url(0), true, "laptop",
        net.guardian.publicKeyHex(), expires);
    return Transaction.sign(newNode, TestNetwork.CHAIN, 1, now, Payload.NodeJoin.of(InviteCodec.encode(inv,
        net.guardian)));
  }

  @Test
  void aJoinCommitsOnEveryNodeAndTheInviteThenWorksNoMore() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    long now = System.currentTimeMillis() / 1000;
    String genesis = net.genesis.hash();
    Identity laptop = TestKeys.key(120);
    Transaction tx = join(laptop, genesis, "0123456789abcdef0123456789abcdef", now + 3600);
    JsonObject accepted = submit(2, tx);
    assertThat(accepted.getInteger("http_status")).as(accepted.encode()).isEqualTo(202);
    for (int i = 0; i < 4; i++) {
      int n = i;
      Await.until("node " + n + " has the laptop active", Duration.ofSeconds(30),
          () -> isActive(n, laptop.publicKeyHex()));
    }

    JsonObject reused = submit(1, join(TestKeys.key(121), genesis, "0123456789abcdef0123456789abcdef", now + 3600));
    assertThat(reused.getInteger("http_status")).as(reused.encode()).isEqualTo(400);
    assertThat(reused.encode()).contains("invite_used").contains("ask a guardian for a new invite");

    JsonObject expired = submit(1, join(TestKeys.key(122), genesis, "0123456789abcdef0123456789abcde0", now - 1));
    assertThat(expired.getInteger("http_status")).as(expired.encode()).isEqualTo(400);
    assertThat(expired.encode()).contains("expired").contains("invite expired at");

    String other = net.otherGenesis(3).hash();
    JsonObject wrong = submit(1, join(TestKeys.key(123), other, "0123456789abcdef0123456789abcde1", now + 3600));
    assertThat(wrong.getInteger("http_status")).as(wrong.encode()).isEqualTo(400);
    assertThat(wrong.encode()).contains("wrong_chain").contains("invite is for chain");

    String tampered = tx.toJsonString().replace("\"role\":\"consensus\"", "\"role\":\"member\"");
    JsonObject bad = send(HttpRequest.newBuilder(URI.create(url(1) + "/transactions"))
        .POST(HttpRequest.BodyPublishers.ofString(tampered)));
    assertThat(bad.getInteger("http_status")).as(bad.encode()).isEqualTo(400);
    assertThat(bad.encode()).contains("malformed").contains("signature does not match");
  }

  /** kinmesh invite against a real node: the code names this chain and genesis, and a join with it commits. */
  @Test
  void theInviteCommandMakesACodeANewKeyJoinsWith() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    Path key = dir.resolve("mum.key");
    org.kinmesh.crypto.KeyFiles.write(key, net.guardian);
    org.kinmesh.testing.StdCapture std = new org.kinmesh.testing.StdCapture();
    int rc = std.during(() -> org.kinmesh.cli.Main.run(new String[] {"invite", "--node", url(0), "--key",
        key.toString(), "--member", "--relay", "https://relay.example.org", "--ttl", "2h", "--name", "kitchen"}));
    assertThat(rc).as(std.err()).isZero();
    assertThat(std.err()).contains("member invite for chain '" + TestNetwork.CHAIN + "'").contains("kinmesh join");
    String[] lines = std.out().strip().split("\n");
    String code = lines[lines.length - 1];
    Invite inv = InviteCodec.decode(code);
    assertThat(inv.genesisHash()).isEqualTo(net.genesis.hash());
    assertThat(inv.blockchainId()).isEqualTo(TestNetwork.CHAIN);
    assertThat(inv.genesisUrl()).isEqualTo(url(0));
    assertThat(inv.consensus()).isFalse();
    assertThat(inv.name()).isEqualTo("kitchen");
    long now = System.currentTimeMillis() / 1000;
    assertThat(inv.expiresAt()).isBetween(now + 7100, now + 7201);

    Identity kitchen = TestKeys.key(130);
    JsonObject accepted = submit(3, Transaction.sign(kitchen, TestNetwork.CHAIN, 1, now, Payload.NodeJoin.of(code)));
    assertThat(accepted.getInteger("http_status")).as(accepted.encode()).isEqualTo(202);
    Await.until("node 1 has the kitchen node", Duration.ofSeconds(30), () -> send(HttpRequest.newBuilder(
        URI.create(url(1) + "/admin/nodes/status"))).getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .anyMatch(n -> kitchen.publicKeyHex().equals(n.getString("pubkey")) && "active".equals(n.getString("status"))
            && !n.getBoolean("is_consensus_node")));

    // refusals that change nothing: a bad ttl, no role
    assertThat(std.during(() -> org.kinmesh.cli.Main.run(new String[] {"invite", "--node", url(0), "--key",
        key.toString(), "--member", "--relay", "https://relay.example.org", "--ttl", "90d"}))).isEqualTo(2);
    assertThat(std.err()).contains("--ttl must be at most 30d");
  }

  boolean isActive(int node, String key) {
    JsonObject s = send(HttpRequest.newBuilder(URI.create(url(node) + "/admin/nodes/status")));
    return s.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .anyMatch(n -> key.equals(n.getString("pubkey")) && "active".equals(n.getString("status"))
            && n.getBoolean("is_consensus_node"));
  }
}
