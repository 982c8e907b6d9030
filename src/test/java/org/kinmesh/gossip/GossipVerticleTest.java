package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.kinmesh.wire.gossip.Cookie;
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
    mover.vertx.eventBus().publish(org.kinmesh.stun.StunAddresses.DEFAULT.state(), new org.kinmesh.stun.StunView(
        java.util.Optional.of(moved), org.kinmesh.wire.gossip.NatType.FULL_CONE, 9));
    for (GossipNode n : nodes) {
      if (n != mover) {
        n.awaitUntil(() -> n.endpointsOf(mover.key()).contains(moved), "the mover's new endpoint");
      }
    }
    assertThat(mover.status().getString("nat")).isEqualTo("full_cone");
  }

  /** A raw UDP socket of the test's own: what it sends, and every datagram it gets back, in order. */
  final class RawPuller implements AutoCloseable {
    final DatagramSocket socket = testVertx.createDatagramSocket();
    final List<byte[]> got = new CopyOnWriteArrayList<>();

    RawPuller() {
      socket.handler(p -> got.add(p.data().getBytes()));
      Await.result(socket.listen(0, "127.0.0.1"));
    }

    void send(byte[] datagram, GossipNode to) {
      Await.result(socket.send(Buffer.buffer(datagram), to.endpoint().port(), "127.0.0.1"));
    }

    /** Waits for the datagram that ends an answer (a last delta, or anything not a delta); returns its index. */
    int awaitAnswerEnd(int from) {
      int[] end = {-1};
      Await.until("the end of an answer", java.time.Duration.ofSeconds(20), () -> {
        for (int i = from; i < got.size(); i++) {
          byte[] d = got.get(i);
          if (d[2] != GossipDatagram.TYPE_DELTA || !delta(d).more()) {
            end[0] = i;
            return true;
          }
        }
        return false;
      });
      return end[0];
    }

    @Override
    public void close() {
      Await.result(socket.close());
    }
  }

  static Delta delta(byte[] d) {
    try {
      return Delta.parse(GossipDatagram.body(d, GossipDatagram.TYPE_DELTA));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] pull(Identity who, long ts, String cookie) {
    JsonObject json = Pull.sign(who, GossipNode.CHAIN, 0, ts).toJson();
    return GossipEngine.encode(GossipDatagram.TYPE_PULL, cookie == null ? json : json.put("cookie", cookie));
  }

  /**
   * Issue 13.6 over real UDP: four converged nodes; a fresh signed pull from an address that
   * never pulled (the source of a spoofed pull is where the answer goes) gets at most twice its
   * bytes back. Before the cookie: the whole delta, 4.2x.
   */
  @Test
  void aPullFromAnUnverifiedAddressGetsAtMostTwiceItsBytesBack() {
    List<GossipNode> nodes = fourNodes(false);
    awaitConverged(nodes);
    GossipNode zero = nodes.get(0);
    try (RawPuller victim = new RawPuller()) {
      byte[] p = pull(client, System.currentTimeMillis() / 1000, null);
      victim.send(p, zero);
      int end = victim.awaitAnswerEnd(0);
      long out = 0;
      for (int i = 0; i <= end; i++) {
        out += victim.got.get(i).length;
      }
      double ratio = (double) out / p.length;
      System.out.printf("spoofed pull over UDP, four nodes: %d B in, %d B out in %d datagram(s), %.2fx%n", p.length,
          out, end + 1, ratio);
      assertThat(ratio).isLessThanOrEqualTo(2.0);
    }
  }

  /**
   * The cookie round trip over real UDP with a raw client: a cookie first, the same signed pull
   * echoing it is answered in full, a replay of it gets nothing, and the address stays verified.
   */
  @Test
  void aPullEchoingTheCookieIsAnsweredAndAReplayIsNot() throws Exception {
    GossipNode responder = node(0, GossipNode.fast(), false);
    try (RawPuller raw = new RawPuller()) {
      long ts = System.currentTimeMillis() / 1000;
      raw.send(pull(client, ts, null), responder);
      int end = raw.awaitAnswerEnd(0);
      byte[] reply = raw.got.get(end);
      assertThat(reply[2]).isEqualTo(GossipDatagram.TYPE_COOKIE);
      Cookie cookie = Cookie.parse(GossipDatagram.body(reply, GossipDatagram.TYPE_COOKIE));
      assertThat(cookie.forSig()).isEqualTo(Cookie.forPull(Pull.sign(client, GossipNode.CHAIN, 0, ts)));
      // The same signed pull with the cookie: the delta.
      byte[] echoed = pull(client, ts, cookie.cookie());
      raw.send(echoed, responder);
      end = raw.awaitAnswerEnd(end + 1);
      assertThat(raw.got.get(end)[2]).isEqualTo(GossipDatagram.TYPE_DELTA);
      // Replayed, then a fresh pull without the cookie as a marker: datagrams on one loopback socket pair
      // are handled in order, so when the marker's answer is here, an answer to the replay would have come first.
      raw.send(echoed, responder);
      raw.send(pull(client, ts + 1, null), responder);
      int marker = raw.awaitAnswerEnd(end + 1);
      assertThat(marker).isEqualTo(end + 1);
      assertThat(raw.got.get(marker)[2]).as("the address stays verified").isEqualTo(GossipDatagram.TYPE_DELTA);
      JsonObject counters = responder.status().getJsonObject("counters");
      assertThat(counters.getJsonObject("dropped").getLong("replayed")).isEqualTo(1);
      assertThat(counters.getJsonObject("events").getLong("cookies_sent")).isEqualTo(1);
      assertThat(counters.getJsonObject("events").getLong("pulls_answered")).isEqualTo(2);
    }
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
