package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * Both sides dialed at once; the peer kept the link the lower key (ours) dialed and closed its
 * own as a duplicate before our side heard "ready" on the kept one. Driven by hand, step by
 * step, so the order that used to show only under load happens every time.
 */
class LinkHandoverTest {
  final Identity a = TestKeys.key(21);
  final Identity b = TestKeys.key(22);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();
  final Vertx testVertx = Vertx.vertx();
  RawAcceptor kept;
  RawPeer duplicate;
  LinkNode na;

  @BeforeEach
  void bothSidesDial() throws Exception {
    assertThat(a.publicKeyHex()).as("a is the lower key, so the link a dials is the one both keep")
        .isLessThan(b.publicKeyHex());
    kept = new RawAcceptor(testVertx, b);
    directory.put(b.publicKeyHex(), kept.port());
    na = new LinkNode(a, directory);
    na.authorize(1, a, b);
    // a dials b (the link both will keep): b answers a's hello but holds its ready.
    assertThat(Hello.parse(kept.nextFrame()).role()).isEqualTo(Hello.DIAL);
    // b dials a as well; a adopts that link at once and reports b up.
    duplicate = new RawPeer(testVertx, b, na.links.boundPort());
    duplicate.send(duplicate.helloFor(duplicate.serverHello(), LinkNode.CHAIN, TimeSource.SYSTEM.nowSeconds())
        .toJson().encode());
    assertThat(duplicate.nextFrame()).contains("ready");
    na.awaitUp(b);
    assertThat(na.peerStatus(b).getString("direction")).isEqualTo("in");
    // b learns of a's link and closes its own as the duplicate; a has not heard "ready" on the kept one yet.
    duplicate.ws.close((short) 1000, Rejection.DUPLICATE.code());
    statusUntil(s -> s.getValue("direction") == null);
  }

  @AfterEach
  void close() {
    if (na != null) {
      na.close();
    }
    kept.close();
    Await.result(testVertx.close());
  }

  @Test
  void theHandOverToTheKeptLinkIsNoDownAndNoSecondUp() throws Exception {
    List<JsonObject> beforeReady = na.eventsSoFar();
    assertThat(beforeReady).noneMatch(e -> "down".equals(e.getString("event")));
    assertThat(beforeReady).filteredOn(e -> "up".equals(e.getString("event"))).hasSize(1);
    assertThat(na.peerStatus(b).getString("state")).isEqualTo("connected");

    kept.send(DataFrame.READY);
    statusUntil(s -> "out".equals(s.getString("direction")));
    na.send(b, "on the kept link");
    assertThat(DataFrame.payload(kept.nextFrame(), 1_000)).isEqualTo("on the kept link");
    assertThat(na.eventsSoFar()).as("the path stayed direct_tcp: nothing to announce")
        .noneMatch(e -> "down".equals(e.getString("event")) || "up".equals(e.getString("event")));
    assertThat(na.peerStatus(b).getString("path")).isEqualTo("direct_tcp");
  }

  @Test
  void whatIsSentDuringTheHandOverGoesOutOnTheKeptLink() throws Exception {
    na.send(b, "during the hand-over");
    na.status(); // the send was handled
    kept.send(DataFrame.READY);
    assertThat(DataFrame.payload(kept.nextFrame(), 1_000)).isEqualTo("during the hand-over");
    assertThat(na.links.counters().get("send_refused")).isZero();
  }

  @Test
  void whenTheKeptLinkFailsInsteadThePeerIsDown() {
    Await.result(Await.result(kept.accepted.future()).close((short) 1011, "gone"));
    JsonObject down = na.events.next(e -> "down".equals(e.getString("event")));
    assertThat(down.getString("pubkey")).isEqualTo(b.publicKeyHex());
    assertThat(na.peerStatus(b).getString("path")).isEqualTo("none");
  }

  @Test
  void deauthorizingThePeerDuringTheHandOverSaysDown() {
    na.authorize(2, a);
    JsonObject down = na.events.next(e -> "down".equals(e.getString("event")));
    assertThat(down.getString("reason")).isEqualTo("deauthorized");
    assertThat(na.links.counters().get(Rejection.DEAUTHORIZED)).isEqualTo(1);
    assertThat(na.status().getJsonArray("peers")).isEmpty();
  }

  /** Asks a's status every few milliseconds (on a Vert.x timer) until b's entry matches; 20 s at most. */
  private void statusUntil(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!match.test(na.peerStatus(b))) {
      assertThat(System.nanoTime()).as("a's status of b never matched; last %s", na.peerStatus(b)).isLessThan(deadline);
      Promise<Void> tick = Promise.promise();
      testVertx.setTimer(5, id -> tick.complete());
      Await.result(tick.future());
    }
  }
}
