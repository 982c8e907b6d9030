package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;

/**
 * A link with no traffic stays up: the WebSocket heartbeats (ping/pong) keep its path from
 * looking silent. Before them, a link idle for longer than {@link PathSelector#DIRECT_SILENCE_MS}
 * was taken for dead at the next send: the peer was reported down and the message dropped.
 */
class LinkHeartbeatTest {
  final Identity a = TestKeys.key(31);
  final Identity b = TestKeys.key(32);
  final Map<String, Integer> directory = new ConcurrentHashMap<>();

  @Test
  void anIdleLinkStaysUpAndCarriesTheNextMessage() {
    try (LinkNode na = new LinkNode(a, directory); LinkNode nb = new LinkNode(b, directory)) {
      na.authorize(1, a, b);
      nb.authorize(1, a, b);
      na.awaitUp(b);
      nb.awaitUp(a);
      na.eventsSoFar();

      // Quiet for longer than a direct path may be silent (a Vert.x timer, not a sleep).
      Promise<Void> quiet = Promise.promise();
      na.vertx.setTimer(PathSelector.DIRECT_SILENCE_MS + 2_000, id -> quiet.complete());
      Await.result(quiet.future());

      na.send(b, "after the quiet");
      assertThat(na.eventsSoFar()).as("no down, no path change while idle")
          .noneMatch(e -> "down".equals(e.getString("event")) || "path".equals(e.getString("event")));
      assertThat(nb.nextInbound().getString("payload")).isEqualTo("after the quiet");
      JsonObject s = na.peerStatus(b);
      assertThat(s.getString("path")).isEqualTo("direct_tcp");
      assertThat(s.getString("state")).isEqualTo("connected");
      assertThat(s.getLong("rtt_ms")).as("timed by the heartbeats").isNotNull().isGreaterThanOrEqualTo(0);
      // Pings and pongs are control frames: never counted as unexpected data.
      assertThat(na.links.counters().get(Rejection.UNEXPECTED_FRAME)).isZero();
      assertThat(nb.links.counters().get(Rejection.UNEXPECTED_FRAME)).isZero();
    }
  }
}
