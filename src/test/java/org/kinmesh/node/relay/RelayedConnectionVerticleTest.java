package org.kinmesh.node.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.relay.forward.ConnectAuth;
import org.kinmesh.relay.forward.Handshake;
import org.kinmesh.relay.forward.RelayFrame;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.testing.WsWire;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;

/** Two nodes' relayed connections through a real relay on loopback; backoff shortened, clocks manual. */
class RelayedConnectionVerticleTest {
  static final String CHAIN = "fam";
  final Identity alice = TestKeys.key(20);
  final Identity bob = TestKeys.key(21);
  final ManualTimeSource clock = new ManualTimeSource(LocalRelay.START_SECS * 1000);
  final List<Vertx> nodes = new ArrayList<>();

  @TempDir
  Path dir;
  LocalRelay relay;

  @AfterEach
  void close() {
    for (Vertx v : nodes) {
      Await.result(v.close());
    }
    if (relay != null) {
      relay.close();
    }
  }

  LocalRelay relay() {
    // Reconnect loops with 50 ms backoff must not run into the relay's per-address limit.
    relay = new LocalRelay(dir, CHAIN, new JsonObject().put("rate_limit_per_min", 100_000), clock, alice, bob);
    return relay.start();
  }

  RelayedSettings settings(String url) {
    return new RelayedSettings(url, CHAIN, new Backoff(50, 400), 60_000, 5_000, 5_000, 25_000, 4L << 20);
  }

  /** A node's own Vert.x with its relayed connection deployed; its events are collected from before the deploy. */
  Node node(Identity id, RelayedSettings s) {
    Vertx v = Vertx.vertx();
    nodes.add(v);
    Node n = new Node(v, new Events(v, NodeAddresses.DEFAULT.relayed().state()), new Events(v, NodeAddresses.DEFAULT.relayed().inbound()),
        new Events(v, NodeAddresses.DEFAULT.relayed().undeliverable()), new RelayedConnectionVerticle(s, id, clock));
    Await.result(v.deployVerticle(n.verticle));
    return n;
  }

  record Node(Vertx vertx, Events state, Events inbound, Events undeliverable, RelayedConnectionVerticle verticle) {
    JsonObject connected() {
      return state.next(m -> m.getBoolean("connected"));
    }

    JsonObject disconnected(String reason) {
      return state.next(m -> !m.getBoolean("connected") && reason.equals(m.getString("reason")));
    }

    void send(Identity to, String payload) {
      vertx.eventBus().send(NodeAddresses.DEFAULT.relayed().send(), new JsonObject().put("to", to.publicKeyHex()).put("payload", payload));
    }

    JsonObject request(Object body) {
      return Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.relayed().send(), body,
          new DeliveryOptions().setSendTimeout(10_000))).body();
    }

    ReplyException refused(Object body) {
      Throwable t = Await.failure(vertx.eventBus().request(NodeAddresses.DEFAULT.relayed().send(), body,
          new DeliveryOptions().setSendTimeout(10_000)));
      assertThat(t).isInstanceOf(ReplyException.class);
      return (ReplyException) t;
    }

    JsonObject status() {
      return Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.relayed().status(), new JsonObject())).body();
    }
  }

  static JsonObject to(Identity key, String payload) {
    return new JsonObject().put("to", key.publicKeyHex()).put("payload", payload);
  }

  @Test
  void twoNodesExchangePayloadsThroughTheRelay() {
    relay();
    Node a = node(alice, settings(relay.url()));
    Node b = node(bob, settings(relay.url()));
    assertThat(a.connected().getString("relay")).isEqualTo(relay.url());
    b.connected();

    a.send(bob, "{\"pbft\":\"prepare\",\"sig\":\"…\"}");
    JsonObject got = b.inbound().next();
    assertThat(got.getString("from")).isEqualTo(alice.publicKeyHex());
    assertThat(got.getString("payload")).isEqualTo("{\"pbft\":\"prepare\",\"sig\":\"…\"}");

    assertThat(b.request(to(alice, "ünïcødé ✓ and a reply")).getString("status")).isEqualTo("sent");
    JsonObject back = a.inbound().next();
    assertThat(back.getString("from")).isEqualTo(bob.publicKeyHex());
    assertThat(back.getString("payload")).isEqualTo("ünïcødé ✓ and a reply");

    // The largest payload the relay takes goes through whole; a burst keeps its order.
    String max = "x".repeat(RelayFrame.MAX_PAYLOAD_BYTES);
    a.send(bob, max);
    assertThat(b.inbound().next().getString("payload")).isEqualTo(max);
    for (int i = 0; i < 100; i++) {
      a.send(bob, "m" + i);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(b.inbound().next().getString("payload")).isEqualTo("m" + i);
    }
    assertThat(a.verticle().counters().get("sent")).isEqualTo(102);
    assertThat(b.status().getJsonObject("counters").getLong("received")).isEqualTo(102);
    assertThat(b.status().getBoolean("connected")).isTrue();
  }

  @Test
  void aSendToAPeerThatIsNotConnectedComesBackAsUndeliverable() {
    relay();
    Node a = node(alice, settings(relay.url()));
    a.connected();
    assertThat(a.request(to(bob, "hello?")).getString("status")).isEqualTo("sent");
    JsonObject u = a.undeliverable().next();
    assertThat(u.getString("to")).isEqualTo(bob.publicKeyHex());
    assertThat(u.getString("reason")).isEqualTo("not_connected");
    assertThat(a.verticle().counters().get("undeliverable.not_connected")).isEqualTo(1);
  }

  @Test
  void badSendsAreRefusedWithClearErrorsAndChangeNothing() {
    relay();
    Node a = node(alice, settings(relay.url()));
    a.connected();
    ReplyException noTo = a.refused(new JsonObject().put("payload", "x"));
    assertThat(noTo.failureCode()).isEqualTo(400);
    assertThat(new JsonObject(noTo.getMessage()).getString("error")).isEqualTo("malformed");
    assertThat(a.refused(to(bob, "x").put("to", "ABC")).failureCode()).isEqualTo(400);
    assertThat(a.refused(new JsonObject().put("to", bob.publicKeyHex()).put("payload", 5)).failureCode()).isEqualTo(400);
    assertThat(a.refused("not json").failureCode()).isEqualTo(400);
    ReplyException big = a.refused(to(bob, "é".repeat(RelayFrame.MAX_PAYLOAD_BYTES / 2 + 1)));
    assertThat(big.failureCode()).isEqualTo(413);
    assertThat(new JsonObject(big.getMessage()).getString("error")).isEqualTo("too_large");
    // Fire-and-forget sends that are refused are counted, and nothing reached the relay.
    a.vertx().eventBus().send(NodeAddresses.DEFAULT.relayed().send(), new JsonObject());
    assertThat(a.status().getJsonObject("counters").getLong("send_malformed")).isEqualTo(5);
    assertThat(a.verticle().counters().get("sent")).isZero();
    assertThat(a.verticle().connected()).isTrue();
  }

  @Test
  void aRelayThatIsDownNeverBlocksTheNodeAndIsJoinedWhenItComesBack() {
    relay();
    String url = relay.url();
    relay.stop();
    Node a = node(alice, settings(url)); // deploy returned although the relay is down
    JsonObject first = a.disconnected("unreachable");
    assertThat(first.getLong("retry_in_ms")).isBetween(45L, 55L);
    JsonObject second = a.disconnected("unreachable");
    assertThat(second.getLong("retry_in_ms")).isBetween(90L, 110L);
    ReplyException down = a.refused(to(bob, "x"));
    assertThat(down.failureCode()).isEqualTo(503);
    assertThat(new JsonObject(down.getMessage()).getString("error")).isEqualTo("not_connected");

    relay.start();
    a.connected();
    Node b = node(bob, settings(url));
    b.connected();
    a.send(bob, "after the outage");
    assertThat(b.inbound().next().getString("payload")).isEqualTo("after the outage");

    // A relay restart: the connection goes away and comes back by itself.
    relay.stop();
    a.disconnected("going_away");
    relay.start();
    a.connected();
    b.connected();
    a.send(bob, "after the restart");
    assertThat(b.inbound().next().getString("payload")).isEqualTo("after the restart");
  }

  @Test
  void aDeauthorizedNodeIsDisconnectedAndBacksOffUntilAuthorizedAgain() {
    relay();
    Node a = node(alice, settings(relay.url()));
    Node b = node(bob, settings(relay.url()));
    a.connected();
    b.connected();
    Identity admin = TestKeys.key(900); // LocalRelay's blockchain admin
    try (RelayHttpClient http = new RelayHttpClient(relay.vertx, relay.url(), clock)) {
      assertThat(Await.result(http.authorizeNode(admin, CHAIN, bob.publicKeyHex(), AuthorizeNodeRequest.Action.REMOVE))
          .ok()).isTrue();
      b.disconnected("deauthorized");
      JsonObject r1 = b.disconnected("unauthorized");
      JsonObject r2 = b.disconnected("unauthorized");
      assertThat(r2.getLong("retry_in_ms")).isGreaterThan(r1.getLong("retry_in_ms"));
      a.send(bob, "are you there?");
      assertThat(a.undeliverable().next().getString("reason")).isEqualTo("not_connected");

      clock.advanceSeconds(1); // the relay wants a newer admin timestamp
      assertThat(Await.result(http.authorizeNode(admin, CHAIN, bob.publicKeyHex(), AuthorizeNodeRequest.Action.ADD))
          .ok()).isTrue();
    }
    b.connected();
    a.send(bob, "welcome back");
    assertThat(b.inbound().next().getString("payload")).isEqualTo("welcome back");
  }

  @Test
  void twoProcessesWithOneKeyBackOffInsteadOfFlapping() {
    relay();
    Node first = node(alice, settings(relay.url()));
    first.connected();
    Node twin = node(alice, settings(relay.url()));
    twin.connected();
    // Each replaces the other; neither connection lasts the 60 s that counts as stable, so each
    // replacement is a failure and the retries grow: 50, 100, 200 ms ...
    List<Long> delays = new ArrayList<>();
    Events[] states = {first.state(), twin.state()};
    for (int i = 0; delays.size() < 3 && i < 100; i++) {
      JsonObject e = states[i % 2].next(m -> !m.getBoolean("connected") && "replaced".equals(m.getString("reason")));
      delays.add(e.getLong("retry_in_ms"));
    }
    assertThat(delays.get(2)).isGreaterThan(delays.get(0));
  }

  @Test
  void aRelayThatStopsAnsweringPingsIsLeftAndTriedAgain() throws Exception {
    // A fake relay that speaks the handshake by hand, then goes silent: it never answers a ping.
    Vertx fake = Vertx.vertx();
    nodes.add(fake);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    NetServer server = fake.createNetServer().connectHandler(socket -> fakeRelay(socket, events));
    int port = Await.result(server.listen(0, "127.0.0.1")).actualPort();
    RelayedSettings s = new RelayedSettings("http://127.0.0.1:" + port, CHAIN, new Backoff(50, 400), 60_000, 5_000,
        5_000, 200, 4L << 20);
    Node a = node(alice, s);
    assertThat(poll(events)).isEqualTo("auth ok");
    a.connected();
    assertThat(poll(events)).isEqualTo("ping");
    JsonObject gone = a.disconnected("idle_timeout");
    assertThat(gone.getLong("retry_in_ms")).isBetween(45L, 55L);
    // It comes back on its own: a second connection, answered the same way (skipping the first one's pings).
    String e;
    do {
      e = poll(events);
    } while ("ping".equals(e));
    assertThat(e).isEqualTo("auth ok");
    a.connected();
  }

  private static String poll(BlockingQueue<String> q) throws InterruptedException {
    String s = q.poll(20, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("nothing within 20 s");
    }
    return s;
  }

  private void fakeRelay(NetSocket socket, BlockingQueue<String> events) {
    WsWire.Reader reader = new WsWire.Reader();
    String nonce = Handshake.newNonce();
    boolean[] upgraded = {false};
    socket.handler(bytes -> {
      reader.feed(bytes);
      String head = reader.head();
      if (head == null) {
        return;
      }
      if (!upgraded[0]) {
        upgraded[0] = true;
        String key = WsWire.header(head, "Sec-WebSocket-Key");
        socket.write(WsWire.upgradeResponse(key));
        socket.write(WsWire.text(Handshake.challenge(nonce), false));
      }
      for (WsWire.Frame f = reader.next(); f != null; f = reader.next()) {
        if (f.opcode() == WsWire.TEXT) {
          try {
            ConnectAuth auth = ConnectAuth.parse(f.text());
            boolean ok = auth.signatureValid() && auth.nonce().equals(nonce) && auth.blockchainId().equals(CHAIN);
            events.add(ok ? "auth ok" : "auth bad");
            socket.write(WsWire.text(Handshake.ready(new Handshake.Ready(RelayFrame.MAX_PAYLOAD_BYTES, 100, 1 << 20,
                1 << 20)), false));
          } catch (Exception e) {
            events.add("auth bad");
          }
        } else if (f.opcode() == WsWire.PING) {
          events.add("ping"); // and no pong
        }
      }
    });
  }
}
