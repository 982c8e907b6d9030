package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.cli.Main;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

/**
 * kinmesh join on real nodes: a code from kinmesh invite makes a key, a genesis checked against
 * the invite, a node.json with relative paths, and a committed join; bad invites change nothing.
 */
class JoinCommandTest {
  @TempDir
  Path dir;
  TestNetwork net;
  final HttpClient http = HttpClient.newHttpClient();
  final StdCapture std = new StdCapture();

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  String url(int i) {
    return "http://127.0.0.1:" + net.node(i).node.apiPort();
  }

  String invite(String... role) throws Exception {
    Path key = dir.resolve("mum.key");
    if (!Files.exists(key)) {
      KeyFiles.write(key, net.guardian);
    }
    String[] args = Stream.concat(Stream.of("invite", "--node", url(0), "--key", key.toString(), "--relay",
        net.relayUrl()), Stream.of(role)).toArray(String[]::new);
    int rc = std.during(() -> Main.run(args));
    assertThat(rc).as(std.err()).isZero();
    return lastLine(std.out());
  }

  static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  int join(String code, Path into, String... more) {
    String[] args = Stream.concat(Stream.of("join", code, "--dir", into.toString()), Stream.of(more))
        .toArray(String[]::new);
    return std.during(() -> Main.run(args));
  }

  @Test
  void aMemberJoinsWithTheInviteAndGetsAWorkingConfig() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    String code = invite("--member", "--name", "kitchen");
    Path kitchen = dir.resolve("kitchen");

    assertThat(join(code, kitchen, "--name", "kitchen")).as(std.err()).isZero();

    JsonObject result = new JsonObject(lastLine(std.out()));
    String pubkey = KeyFiles.load(kitchen.resolve("node.key")).publicKeyHex();
    assertThat(result.getString("pubkey")).isEqualTo(pubkey);
    assertThat(result.getString("status")).isEqualTo("active");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kitchen.resolve("node.key"))))
        .isEqualTo("rw-------");
    JsonObject conf = new JsonObject(Files.readString(kitchen.resolve("node.json")));
    assertThat(conf.getString("identity_path")).isEqualTo("node.key");
    assertThat(conf.getString("genesis_path")).isEqualTo("genesis.json");
    assertThat(conf.getString("relay_url")).isEqualTo(net.relayUrl());
    NodeConfig c = NodeConfig.fromJson(conf, Map.of(), null, kitchen);
    assertThat(c.identityPath()).isEqualTo(kitchen.resolve("node.key"));
    assertThat(c.blockchainId()).isEqualTo(TestNetwork.CHAIN);
    assertThat(Block.parse(Files.readAllBytes(c.genesisPath())).hash()).isEqualTo(net.genesis.hash());
    assertThat(std.err()).contains("kinmesh node -conf " + kitchen.resolve("node.json"));
    Await.until("node 2 lists the kitchen node active", Duration.ofSeconds(30), () -> nodeStatus(2, pubkey)
        .equals("active"));

    // The same code again: the chain refuses it, and the new directory is left as it was (absent).
    Path again = dir.resolve("again");
    assertThat(join(code, again)).isEqualTo(1);
    assertThat(std.err()).contains("invite_used");
    assertThat(again).doesNotExist();

    // A key already there is never overwritten.
    String before = Files.readString(kitchen.resolve("node.key"));
    assertThat(join(invite("--member"), kitchen)).isEqualTo(2);
    assertThat(std.err()).contains("already holds a key");
    assertThat(Files.readString(kitchen.resolve("node.key"))).isEqualTo(before);
  }

  @Test
  void expiredTamperedAndOtherChainInvitesAreRefusedAndChangeNothing() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    long now = System.currentTimeMillis() / 1000;
    Path empty = Files.createDirectory(dir.resolve("empty"));

    String expired = InviteCodec.encode(new Invite("0123456789abcdef0123456789abcdef", TestNetwork.CHAIN,
        net.genesis.hash(), net.relayUrl(), url(0), true, "", net.guardian.publicKeyHex(), now - 5), net.guardian);
    assertThat(join(expired, empty)).isEqualTo(2);
    assertThat(std.err()).contains("invite expired at");
    assertThat(empty).isEmptyDirectory();

    String good = invite("--consensus");
    String tampered = good.substring(0, 20) + (good.charAt(20) == 'A' ? 'B' : 'A') + good.substring(21);
    assertThat(join(tampered, empty)).isEqualTo(2);
    assertThat(std.err()).contains("invite code");
    assertThat(empty).isEmptyDirectory();

    String otherChain = InviteCodec.encode(new Invite("0123456789abcdef0123456789abcde1", TestNetwork.CHAIN,
        net.otherGenesis(3).hash(), net.relayUrl(), url(0), true, "", net.guardian.publicKeyHex(), now + 600),
        net.guardian);
    Path fresh = dir.resolve("fresh");
    assertThat(join(otherChain, fresh)).isEqualTo(1);
    assertThat(std.err()).contains("genesis").contains("does not match the invite");
    assertThat(fresh).doesNotExist();
  }

  /**
   * A consensus invite (one guardian: the invite is the whole approval): the join makes an active
   * voting node, and a node started from the written DIR/node.json votes on the next blocks.
   */
  @Test
  void aConsensusNodeStartedFromTheWrittenConfigVotes() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    Path laptop = dir.resolve("laptop");
    assertThat(join(invite("--consensus", "--name", "laptop"), laptop, "--api-listen", "127.0.0.1:0",
        "--gossip-port", "0")).as(std.err()).isZero();
    JsonObject result = new JsonObject(lastLine(std.out()));
    assertThat(result.getString("status")).isEqualTo("active");
    assertThat(result.containsKey("resource_id")).isFalse();
    long joinedAt = net.node(0).height();

    // As kinmesh node -conf DIR/node.json loads it; only the bind address is narrowed to loopback for the test.
    JsonObject conf = new JsonObject(Files.readString(laptop.resolve("node.json"))).put("listen_host", "127.0.0.1")
        .put("stun_servers", new io.vertx.core.json.JsonArray());
    NodeConfig c = NodeConfig.fromJson(conf, Map.of(), null, laptop);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Node node = new Node(c, KeyFiles.load(c.identityPath()), Node.readGenesis(c), org.kinmesh.util.TimeSource.SYSTEM);
      Await.result(vertx.deployVerticle(node));
      String api = "http://127.0.0.1:" + node.apiPort();
      Await.until("the joined node votes past height " + joinedAt, Duration.ofSeconds(60), () -> {
        JsonObject st = get(api + "/status");
        return st.getJsonObject("participation").getLong("last_voted_height") > joinedAt + 1;
      });
    } finally {
      Await.result(vertx.close());
    }
  }

  JsonObject get(String u) {
    try {
      return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(u)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String nodeStatus(int node, String key) {
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create(url(node) + "/admin/nodes/status")).build(),
        HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new JsonObject(r.body()).getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> key.equals(n.getString("pubkey"))).map(n -> n.getString("status")).findFirst().orElse("absent");
  }
}
