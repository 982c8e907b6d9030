package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.config.HostPort;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.NodeApiVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.gossip.Delta;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.Pull;

/** Gossip verticles over real UDP on 127.0.0.1, each node in its own Vert.x with a real ledger; no relay anywhere. */
class GossipVerticleTest {
  @TempDir
  Path dir;
  /** Four nodes, and a fifth authorized key that only the tests' raw clients use. */
  final List<Identity> keys = List.of(TestKeys.key(401), TestKeys.key(402), TestKeys.key(403), TestKeys.key(404),
      TestKeys.key(405));
  final Identity client = keys.get(4);
  final Block genesis = GossipNode.genesis(keys);
  final List<AutoCloseable> open = new ArrayList<>();
  final Vertx testVertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    Await.result(testVertx.close());
  }

  GossipNode node(int i, JsonObject cfg, boolean persist) {
    GossipNode n = new GossipNode(keys.get(i), genesis, dir.resolve("n" + i), cfg, persist);
    open.add(n);
    return n;
  }

  /** Node 0 first; the others know only its address (no key, no relay). */
  List<GossipNode> fourNodes(boolean persist) {
    List<GossipNode> nodes = new ArrayList<>();
    nodes.add(node(0, GossipNode.fast(), persist));
    for (int i = 1; i < 4; i++) {
      nodes.add(node(i, GossipNode.fast(nodes.get(0).endpoint()), persist));
    }
    return nodes;
  }

  static void awaitConverged(List<GossipNode> nodes) {
    for (GossipNode n : nodes) {
      Map<String, Endpoint> best = new HashMap<>();
      for (GossipNode m : nodes) {
        if (m != n) {
          best.put(m.key(), m.endpoint());
        }
      }
      n.awaitBest(best);
    }
  }

  @Test
  void fourNodesConvergeWithoutAnyRelay() {
    List<GossipNode> nodes = fourNodes(false);
    awaitConverged(nodes);
    for (GossipNode n : nodes) {
      JsonObject s = n.status();
      assertThat(s.getInteger("peers")).isEqualTo(3);
      assertThat(s.getJsonArray("endpoints").getString(0)).isEqualTo(n.endpoint().toString());
      assertThat(s.getString("nat")).isEqualTo("unknown"); // no Stun verticle: unknown, as designed
      JsonObject dropped = s.getJsonObject("counters").getJsonObject("dropped");
      for (String reason : List.of("invalid_signature", "unauthorized", "stale_timestamp", "malformed")) {
        assertThat(dropped.getLong(reason)).as(reason).isZero();
      }
    }
    // One node moves (its STUN view changes): it announces at once and everybody follows.
    GossipNode mover = nodes.get(2);
    Endpoint moved = new Endpoint("127.0.0.1", 9);
    mover.vertx.eventBus().publish(org.kinmesh.node.Addresses.STUN_STATE, new JsonObject()
        .put("public_ip", "127.0.0.1").put("public_port", 9).put("nat_type", "full_cone"));
    for (GossipNode n : nodes) {
      if (n != mover) {
        n.awaitUntil(() -> n.endpointsOf(mover.key()).contains(moved), "the mover's new endpoint");
      }
    }
    assertThat(mover.status().getString("nat")).isEqualTo("full_cone");
  }

  @Test
  void aReplayedPullGetsNoAnswerOverUdp() {
    GossipNode responder = node(0, GossipNode.fast(), false);
    // A raw socket in the test pulls with an authorized key.
    List<Delta> answers = new CopyOnWriteArrayList<>();
    Promise<Void> second = Promise.promise();
    DatagramSocket raw = testVertx.createDatagramSocket();
    raw.handler(p -> {
      try {
        answers.add(Delta.parse(GossipDatagram.body(p.data().getBytes(), GossipDatagram.TYPE_DELTA)));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      if (answers.size() == 2) {
        second.tryComplete();
      }
    });
    Await.result(raw.listen(0, "127.0.0.1"));
    long ts = System.currentTimeMillis() / 1000;
    Buffer pull = Buffer.buffer(GossipEngine.encode(GossipDatagram.TYPE_PULL,
        Pull.sign(client, GossipNode.CHAIN, 0, ts).toJson()));
    int port = responder.endpoint().port();
    Await.result(raw.send(pull, port, "127.0.0.1"));
    Await.result(raw.send(pull, port, "127.0.0.1"));
    // A fresh pull as a marker: datagrams on one loopback socket pair are handled in order, so
    // when its answer is here, an answer to the replay would have come before it.
    Buffer marker = Buffer.buffer(GossipEngine.encode(GossipDatagram.TYPE_PULL,
        Pull.sign(client, GossipNode.CHAIN, 0, ts + 1).toJson()));
    Await.result(raw.send(marker, port, "127.0.0.1"));
    Await.result(second.future());
    assertThat(answers).hasSize(2);
    JsonObject dropped = responder.status().getJsonObject("counters").getJsonObject("dropped");
    assertThat(dropped.getLong("replayed")).isEqualTo(1);
    Await.result(raw.close());
  }

  @Test
  void aRestartWithAStaleCacheRecovers() {
    List<GossipNode> nodes = fourNodes(true);
    awaitConverged(nodes);
    GossipNode three = nodes.get(3);
    long verBefore = three.status().getLong("ver");
    three.close(); // its cache now holds nodes 0, 1, 2 where they were
    open.remove(three);
    // Nodes 1 and 2 move to new ports (a restart on port 0), node 0 stays where it was.
    for (int i = 1; i <= 2; i++) {
      nodes.get(i).close();
      open.remove(nodes.get(i));
      nodes.set(i, node(i, GossipNode.fast(), true));
    }
    GossipNode zero = nodes.get(0);
    zero.awaitBest(Map.of(nodes.get(1).key(), nodes.get(1).endpoint(), nodes.get(2).key(), nodes.get(2).endpoint()));
    // Node 3 comes back with no seed at all: only its stale cache.
    GossipNode back = node(3, GossipNode.fast(), true);
    nodes.set(3, back);
    assertThat(back.status().getJsonObject("counters").getJsonObject("events").getLong("cache_loaded")).isEqualTo(3);
    back.awaitBest(Map.of(nodes.get(1).key(), nodes.get(1).endpoint(), nodes.get(2).key(), nodes.get(2).endpoint(),
        zero.key(), zero.endpoint()));
    assertThat(back.status().getLong("ver")).isGreaterThan(verBefore);
    // And the others learn where node 3 is now.
    for (int i = 0; i < 3; i++) {
      GossipNode n = nodes.get(i);
      n.awaitBest(Map.of(back.key(), back.endpoint()));
    }
  }

  @Test
  void theHttpFallbackAnswersPullsThroughTheNodeApi() {
    List<GossipNode> nodes = fourNodes(false);
    awaitConverged(nodes);
    GossipNode zero = nodes.get(0);
    NodeApiVerticle api = new NodeApiVerticle(new HostPort("127.0.0.1", 0), dir.resolve("api.port"), zero.key(), false);
    Await.result(zero.vertx.deployVerticle(api));
    WebClient web = WebClient.create(testVertx);
    long ts = System.currentTimeMillis() / 1000;
    byte[] pull = Pull.sign(client, GossipNode.CHAIN, 0, ts).toJson().encode().getBytes(StandardCharsets.UTF_8);
    HttpResponse<Buffer> r = Await.result(web.post(api.actualPort(), "127.0.0.1", "/gossip")
        .sendBuffer(Buffer.buffer(pull)));
    assertThat(r.statusCode()).isEqualTo(200);
    // Four announces (node 0's own included) of ~330 bytes: two 1,200-byte deltas.
    int announces = 0;
    for (Object o : r.bodyAsJsonObject().getJsonArray("deltas")) {
      JsonObject delta = (JsonObject) o;
      assertThat(delta.getString("from")).isEqualTo(zero.key());
      assertThat(delta.encode().length()).isLessThanOrEqualTo(GossipDatagram.MAX_GOSSIP_BYTES);
      announces += delta.getJsonArray("announces").size();
    }
    assertThat(announces).isEqualTo(4);
    // The same pull again: 409, no deltas.
    HttpResponse<Buffer> replay = Await.result(web.post(api.actualPort(), "127.0.0.1", "/gossip")
        .sendBuffer(Buffer.buffer(pull)));
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(replay.bodyAsJsonObject().containsKey("deltas")).isFalse();
    // The datagram form of a fresh pull works too.
    byte[] datagram = GossipEngine.encode(GossipDatagram.TYPE_PULL,
        Pull.sign(client, GossipNode.CHAIN, 0, ts + 1).toJson());
    assertThat(Await.result(web.post(api.actualPort(), "127.0.0.1", "/gossip").sendBuffer(Buffer.buffer(datagram)))
        .statusCode()).isEqualTo(200);
    // Bounded body, bad JSON.
    assertThat(Await.result(web.post(api.actualPort(), "127.0.0.1", "/gossip")
        .sendBuffer(Buffer.buffer(new byte[5_000]))).statusCode()).isEqualTo(413);
    HttpResponse<Buffer> bad = Await.result(web.post(api.actualPort(), "127.0.0.1", "/gossip")
        .sendBuffer(Buffer.buffer("{\"type\":")));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("malformed");
    // /status carries the gossip section with its counters.
    JsonObject status = Await.result(web.get(api.actualPort(), "127.0.0.1", "/status").send()).bodyAsJsonObject();
    assertThat(status.getJsonObject("gossip").getInteger("peers")).isEqualTo(3);
    assertThat(status.getJsonObject("gossip").getJsonObject("counters").getJsonObject("dropped").getLong("replayed"))
        .isEqualTo(1);
    web.close();
  }
}
