package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.util.TimeSource;

/** Links between real verticles over real WebSockets on loopback, each node in its own Vert.x. */
class LinksVerticleTest {
  final Identity a = TestKeys.key(21);
  final Identity b = TestKeys.key(22);
  final Identity c = TestKeys.key(23);
  final Identity stranger = TestKeys.key(24);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();
  final List<AutoCloseable> open = new ArrayList<>();
  final Vertx testVertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    Await.result(testVertx.close());
  }

  LinkNode node(Identity id) {
    LinkNode n = new LinkNode(id, directory);
    open.add(n);
    return n;
  }

  LinkNode node(Identity id, Map<String, Integer> dir, LinkSettings s, TimeSource clock) {
    LinkNode n = new LinkNode(id, dir, s, clock);
    open.add(n);
    return n;
  }

  @Test
  void twoNodesConnectOnceAndExchangePayloadsBothWays() {
    LinkNode na = node(a);
    LinkNode nb = node(b);
    na.authorize(1, a, b);
    nb.authorize(1, a, b);
    na.awaitUp(b);
    nb.awaitUp(a);

    na.send(b, "to-b");
    assertThat(nb.nextInbound()).isEqualTo(new JsonObject().put("from", a.publicKeyHex()).put("payload", "to-b"));
    nb.send(a, "to-a");
    assertThat(na.nextInbound()).isEqualTo(new JsonObject().put("from", b.publicKeyHex()).put("payload", "to-a"));

    JsonObject sa = na.peerStatus(b);
    assertThat(sa.getString("state")).isEqualTo("connected");
    assertThat(sa.getString("path")).isEqualTo("direct_tcp");
    assertThat(sa.getString("nat")).isEqualTo("unknown");
    assertThat(sa.getLong("last_seen")).isPositive();
    assertThat(sa.getString("endpoint")).isNotNull();
    // One link, seen from both ends: whoever dialed it, the other accepted it.
    JsonObject sb = nb.peerStatus(a);
    assertThat(Set.of(sa.getString("direction"), sb.getString("direction"))).containsExactlyInAnyOrder("in", "out");

    // A clean stop closes the link; the other side sees it go down.
    na.stop();
    nb.events.next(e -> "down".equals(e.getString("event")) && e.getString("pubkey").equals(a.publicKeyHex()));
  }

  @Test
  void threeNodesBroadcastToEveryoneButThemselves() {
    LinkNode na = node(a);
    LinkNode nb = node(b);
    LinkNode nc = node(c);
    for (LinkNode n : List.of(na, nb, nc)) {
      n.authorize(1, a, b, c);
    }
    na.awaitUp(b);
    na.awaitUp(c);
    nb.awaitUp(a);
    nb.awaitUp(c);
    nc.awaitUp(a);
    nc.awaitUp(b);

    na.broadcast("from-a");
    nb.broadcast("from-b");
    nc.broadcast("from-c");
    assertThat(payloads(na, 2)).containsExactlyInAnyOrder("from-b", "from-c");
    assertThat(payloads(nb, 2)).containsExactlyInAnyOrder("from-a", "from-c");
    assertThat(payloads(nc, 2)).containsExactlyInAnyOrder("from-a", "from-b");
    assertThat(na.status().getJsonArray("peers")).hasSize(2);
  }

  private static List<String> payloads(LinkNode n, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(n.nextInbound().getString("payload"));
    }
    return out;
  }

  @Test
  void anUnauthorizedKeyIsRefusedAtHelloAndCounted() {
    LinkNode na = node(a);
    na.authorize(1, a, b);
    // The stranger thinks it belongs and dials a; a refuses it at the hello.
    LinkNode ns = node(stranger);
    ns.authorize(1, a, stranger);
    ns.events.next(e -> e.getString("pubkey").equals(a.publicKeyHex()) && "backoff".equals(e.getString("state")));
    assertThat(na.links.counters().get(Rejection.UNAUTHORIZED)).isPositive();
    assertThat(na.status().getJsonObject("rejections").getLong("unauthorized")).isPositive();
    assertThat(ns.peerStatus(a).getString("last_error")).contains("unauthorized");
  }

  @Test
  void helloWithBadSignatureWrongChainOrStaleTimeIsRefused() {
    LinkNode na = node(a);
    na.authorize(1, a, b);
    long now = TimeSource.SYSTEM.nowSeconds();

    RawPeer bad = new RawPeer(testVertx, b, na.links.boundPort());
    JsonObject forged = bad.helloFor(bad.serverHello(), LinkNode.CHAIN, now).toJson();
    String sig = forged.getString("sig");
    forged.put("sig", (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1));
    bad.send(forged.encode());
    assertThat(bad.awaitClose()).isEqualTo("1008 invalid_signature");

    RawPeer chain = new RawPeer(testVertx, b, na.links.boundPort());
    chain.send(chain.helloFor(chain.serverHello(), "other-chain", now).toJson().encode());
    assertThat(chain.awaitClose()).isEqualTo("1008 wrong_blockchain");

    RawPeer stale = new RawPeer(testVertx, b, na.links.boundPort());
    stale.send(stale.helloFor(stale.serverHello(), LinkNode.CHAIN, now - 301).toJson().encode());
    assertThat(stale.awaitClose()).isEqualTo("1008 stale_timestamp");

    RawPeer junk = new RawPeer(testVertx, b, na.links.boundPort());
    junk.serverHello();
    junk.send("{\"payload\":\"before hello\"}");
    assertThat(junk.awaitClose()).isEqualTo("1008 malformed");

    assertThat(na.links.counters().get(Rejection.INVALID_SIGNATURE)).isEqualTo(1);
    assertThat(na.links.counters().get(Rejection.WRONG_BLOCKCHAIN)).isEqualTo(1);
    assertThat(na.links.counters().get(Rejection.STALE)).isEqualTo(1);
    assertThat(na.links.counters().get(Rejection.MALFORMED)).isEqualTo(1);
  }

  @Test
  void aRecordedHelloCannotBeReplayedOnAnotherConnection() {
    LinkNode na = node(a);
    na.authorize(1, a, b);
    long now = TimeSource.SYSTEM.nowSeconds();
    RawPeer first = new RawPeer(testVertx, b, na.links.boundPort());
    String recorded = first.helloFor(first.serverHello(), LinkNode.CHAIN, now).toJson().encode();
    first.send(recorded);
    assertThat(first.nextFrame()).contains("ready");

    RawPeer replay = new RawPeer(testVertx, b, na.links.boundPort());
    replay.serverHello();
    replay.send(recorded);
    assertThat(replay.awaitClose()).isEqualTo("1008 replayed");
    assertThat(na.links.counters().get(Rejection.REPLAYED)).isEqualTo(1);
  }

  @Test
  void oversizedFramesAndFloodsAreDroppedAndCounted() {
    ManualTimeSource clock = new ManualTimeSource(TimeSource.SYSTEM.nowMillis());
    LinkNode na = node(a, directory, LinkNode.fast(0), clock);
    na.authorize(1, a, b);
    RawPeer peer = new RawPeer(testVertx, b, na.links.boundPort());
    peer.send(peer.helloFor(peer.serverHello(), LinkNode.CHAIN, clock.nowSeconds()).toJson().encode());
    assertThat(peer.nextFrame()).contains("ready");

    peer.send(DataFrame.encode("x".repeat(70_000)));
    // 150 frames in the same instant (the clock does not move): the bucket holds 100.
    for (int i = 0; i < 150; i++) {
      peer.send(DataFrame.encode("m" + i));
    }
    // The close is read after every frame before it, so once a reports b down all were handled.
    peer.ws.close();
    na.events.next(e -> "down".equals(e.getString("event")));
    Set<String> got = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      got.add(na.nextInbound().getString("payload"));
    }
    assertThat(got).hasSize(100).contains("m0", "m99").doesNotContain("m100");
    assertThat(na.links.counters().get(Rejection.TOO_LARGE)).as("dropped; the link stayed up for m0").isEqualTo(1);
    assertThat(na.links.counters().get(Rejection.RATE_LIMITED)).isEqualTo(50);
  }

  @Test
  void deauthorizationDisconnectsAtOnce() {
    LinkNode na = node(a);
    LinkNode nb = node(b);
    na.authorize(1, a, b);
    nb.authorize(1, a, b);
    na.awaitUp(b);
    nb.awaitUp(a);

    na.authorize(2, a);
    na.events.next(e -> "down".equals(e.getString("event")) && "deauthorized".equals(e.getString("reason")));
    nb.events.next(e -> "down".equals(e.getString("event")));
    assertThat(na.links.counters().get(Rejection.DEAUTHORIZED)).isEqualTo(1);
    assertThat(na.status().getJsonArray("peers")).isEmpty();
    // b keeps trying; a refuses it at the hello now.
    nb.events.next(e -> "backoff".equals(e.getString("state")) && e.getString("pubkey").equals(a.publicKeyHex()));
    assertThat(na.links.counters().get(Rejection.UNAUTHORIZED)).isPositive();
  }

  @Test
  void aPeerThatIsDownBacksOffThenGoesUnreachableAndIsProbedWhenItReturns() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    directory.put(b.publicKeyHex(), port);
    LinkNode na = node(a);
    na.authorize(1, a, b);
    List<String> states = new ArrayList<>();
    String state;
    do {
      state = na.events.next(e -> e.getString("pubkey").equals(b.publicKeyHex())).getString("state");
      states.add(state);
    } while (!state.equals("unreachable"));
    assertThat(states).containsExactly("backoff", "connecting", "backoff", "connecting", "backoff", "connecting",
        "backoff", "connecting", "unreachable");
    JsonObject s = na.peerStatus(b);
    assertThat(s.getString("state")).isEqualTo("unreachable");
    assertThat(s.getInteger("failures")).isEqualTo(5);
    assertThat(s.getString("path")).isEqualTo("none");

    // b comes back on the same port; it cannot find a itself, so the link that forms is a's
    // half-open probe once the circuit's cool-down is over.
    LinkNode nb = node(b, new ConcurrentHashMap<>(), LinkNode.fast(port), TimeSource.SYSTEM);
    nb.authorize(1, a, b);
    na.awaitUp(b);
    assertThat(na.peerStatus(b).getString("direction")).isEqualTo("out");
    assertThat(na.peerStatus(b).getInteger("failures")).isZero();
  }
}
