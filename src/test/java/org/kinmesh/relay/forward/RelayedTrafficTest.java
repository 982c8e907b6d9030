package org.kinmesh.relay.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.testing.WsWire;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;

/** The relay side of relayed traffic, against a real relay on loopback, with hand-driven clients. */
class RelayedTrafficTest {
  static final String FAM = "fam";
  static final String OTHER = "other-chain";
  final Identity a = TestKeys.key(1);
  final Identity b = TestKeys.key(2);
  final Identity stranger = TestKeys.key(3);
  final Identity d = TestKeys.key(4);
  final Identity both = TestKeys.key(5);
  final Vertx clients = Vertx.vertx();
  final List<RawRelayClient> open = new ArrayList<>();

  @TempDir
  Path dir;
  ForwardRelay relay;

  @AfterEach
  void close() {
    open.forEach(RawRelayClient::close);
    Await.result(clients.close());
    if (relay != null) {
      relay.close();
    }
  }

  ForwardRelay relay(JsonObject overrides) {
    Map<String, Identity[]> chains = new LinkedHashMap<>();
    chains.put(FAM, new Identity[] {a, b, both});
    chains.put(OTHER, new Identity[] {d, both});
    relay = new ForwardRelay(dir, overrides, chains);
    return relay;
  }

  long now() {
    return relay.clock.nowSeconds();
  }

  RawRelayClient connect(Identity id, String chain) {
    RawRelayClient c = RawRelayClient.connected(clients, id, relay.port(), chain, now());
    open.add(c);
    return c;
  }

  RawRelayClient raw(Identity id) {
    RawRelayClient c = new RawRelayClient(clients, id, relay.port());
    open.add(c);
    return c;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  void awaitTrue(String what, BooleanSupplier condition) {
    Poll.until(clients, what, condition);
  }

  void assertDelivered(RelayFrame.Inbound in, Identity from, String payload) {
    assertThat(in.type()).isEqualTo(RelayFrame.DELIVER);
    assertThat(in.key()).isEqualTo(from.publicKeyHex());
    assertThat(new String(in.payload(), StandardCharsets.UTF_8)).isEqualTo(payload);
  }

  void assertUndeliverable(RelayFrame.Inbound in, Identity to, Undeliverable reason) {
    assertThat(in.type()).isEqualTo(RelayFrame.UNDELIVERABLE);
    assertThat(in.key()).isEqualTo(to.publicKeyHex());
    assertThat(in.reason()).isEqualTo(reason);
  }

  // ---- forwarding ----

  @Test
  void framesGoBothWaysStampedWithTheVerifiedSender() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    assertThat(relay.hub().openConnections()).isEqualTo(2);

    ca.send(b, utf8("hello b"));
    assertDelivered(cb.nextInbound(), a, "hello b");
    cb.send(a, utf8("hello a"));
    assertDelivered(ca.nextInbound(), b, "hello a");
    // Empty payloads are frames too; a key may send to itself.
    ca.send(b, new byte[0]);
    assertDelivered(cb.nextInbound(), a, "");
    ca.send(a, utf8("to myself"));
    assertDelivered(ca.nextInbound(), a, "to myself");
    // Many frames keep their order.
    for (int i = 0; i < 200; i++) {
      ca.sendFrame(RelayFrame.send(Hex.decode(b.publicKeyHex()), utf8("n" + i)));
    }
    for (int i = 0; i < 200; i++) {
      assertDelivered(cb.nextInbound(), a, "n" + i);
    }

    assertThat(relay.metric("kinmesh_relay_forward_frames_total")).isEqualTo(204);
    int numbered = 0;
    for (int i = 0; i < 200; i++) {
      numbered += ("n" + i).length();
    }
    assertThat(relay.metric("kinmesh_relay_forward_bytes_total")).isEqualTo(7 + 7 + 0 + 9 + numbered);
    System.gc(); // Micrometer holds a gauge's object weakly: the gauge must survive a collection
    assertThat(relay.metric("kinmesh_relay_forward_connections")).isEqualTo(2);
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"ok\"}")).isEqualTo(2);
  }

  @Test
  void aLiveRelayedConnectionOutlivesTheIdleTimeout() throws Exception {
    // The HTTP idle timeout (2 s) and request deadline (1 s) apply to the port relayed traffic
    // shares; the relay's own pings (every second) keep a quiet but live connection open.
    relay(new JsonObject().put("http_idle_timeout_secs", 2).put("http_request_timeout_secs", 1)
        .put("relayed_ping_secs", 1));
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    // Three idle timeouts with no frame sent either way.
    Await.result(clients.timer(6_000));
    assertThat(relay.hub().openConnections()).isEqualTo(2);
    ca.send(b, utf8("still here"));
    assertDelivered(cb.nextInbound(), a, "still here");
  }

  @Test
  void aFrameToAKeyThatIsNotConnectedGetsANotConnectedNotice() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    ca.send(b, utf8("anyone there?"));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.NOT_CONNECTED);
    // A key nobody authorized gets the same answer: the relay says nothing more about strangers.
    ca.send(stranger, utf8("x"));
    assertUndeliverable(ca.nextInbound(), stranger, Undeliverable.NOT_CONNECTED);

    RawRelayClient cb = connect(b, FAM);
    ca.send(b, utf8("now?"));
    assertDelivered(cb.nextInbound(), a, "now?");
    cb.close();
    awaitTrue("b gone", () -> relay.hub().openConnections() == 1);
    ca.send(b, utf8("gone?"));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.NOT_CONNECTED);
    assertThat(relay.metric("kinmesh_relay_forward_dropped_frames_total{reason=\"not_connected\"}")).isEqualTo(3);
    assertThat(relay.metric("kinmesh_relay_forward_closes_total{reason=\"closed\"}")).isEqualTo(1);
  }

  @Test
  void framesNeverCrossBlockchains() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cd = connect(d, OTHER);
    // d is connected, but for another blockchain: a cannot reach it, nor d reach a.
    ca.send(d, utf8("across?"));
    assertUndeliverable(ca.nextInbound(), d, Undeliverable.NOT_CONNECTED);
    cd.send(a, utf8("across?"));
    assertUndeliverable(cd.nextInbound(), a, Undeliverable.NOT_CONNECTED);

    // A key authorized in both blockchains has one connection per blockchain; each gets only its own traffic.
    RawRelayClient bothFam = connect(both, FAM);
    RawRelayClient bothOther = connect(both, OTHER);
    ca.send(both, utf8("fam only"));
    cd.send(both, utf8("other only"));
    assertDelivered(bothFam.nextInbound(), a, "fam only");
    assertDelivered(bothOther.nextInbound(), d, "other only");
    ca.send(both, utf8("fam again"));
    assertDelivered(bothFam.nextInbound(), a, "fam again");
    assertThat(bothOther.binaries).isEmpty();
    assertThat(bothOther.binaryCount.get()).isEqualTo(1);
    // And the reply from the other blockchain's connection cannot reach a.
    bothOther.send(a, utf8("back across?"));
    assertUndeliverable(bothOther.nextInbound(), a, Undeliverable.NOT_CONNECTED);
    assertThat(ca.binaries).isEmpty();
  }

  @Test
  void aSecondConnectionOfTheSameKeyReplacesTheFirst() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient first = connect(b, FAM);
    RawRelayClient second = connect(b, FAM);
    assertThat(first.awaitClose()).isEqualTo("1000 replaced");
    ca.send(b, utf8("which one?"));
    assertDelivered(second.nextInbound(), a, "which one?");
    assertThat(first.binaries).isEmpty();
    assertThat(relay.hub().openConnections()).isEqualTo(2);
    assertThat(relay.metric("kinmesh_relay_forward_closes_total{reason=\"replaced\"}")).isEqualTo(1);
  }

  // ---- the handshake ----

  @Test
  void aKeyNotAuthorizedInTheBlockchainIsRefused() throws Exception {
    relay(new JsonObject());
    RawRelayClient c = raw(stranger);
    c.answer(FAM, now());
    assertThat(c.awaitClose()).isEqualTo("1008 unauthorized");
    // Authorized in another blockchain is not authorized in this one.
    RawRelayClient dInFam = raw(d);
    dInFam.answer(FAM, now());
    assertThat(dInFam.awaitClose()).isEqualTo("1008 unauthorized");
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"unauthorized\"}")).isEqualTo(2);
    assertThat(relay.hub().openConnections()).isZero();
  }

  @Test
  void aBadSignatureIsRefused() throws Exception {
    relay(new JsonObject());
    RawRelayClient c = raw(a);
    ConnectAuth good = ConnectAuth.sign(a, FAM, now(), c.challenge());
    char[] sig = good.sig().toCharArray();
    sig[10] = sig[10] == '0' ? '1' : '0';
    c.sendText(new ConnectAuth(good.blockchainId(), good.pubkey(), good.timestamp(), good.nonce(), new String(sig))
        .toJson().encode());
    assertThat(c.awaitClose()).isEqualTo("1008 invalid_signature");
    // b's signature presented as a's key.
    RawRelayClient c2 = raw(a);
    ConnectAuth byB = ConnectAuth.sign(b, FAM, now(), c2.challenge());
    c2.sendText(new ConnectAuth(FAM, a.publicKeyHex(), byB.timestamp(), byB.nonce(), byB.sig()).toJson().encode());
    assertThat(c2.awaitClose()).isEqualTo("1008 invalid_signature");
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"invalid_signature\"}")).isEqualTo(2);
  }

  @Test
  void aStaleTimestampIsRefusedEitherWay() throws Exception {
    relay(new JsonObject());
    RawRelayClient old = raw(a);
    old.answer(FAM, now() - 301);
    assertThat(old.awaitClose()).isEqualTo("1008 stale_timestamp");
    RawRelayClient future = raw(a);
    future.answer(FAM, now() + 301);
    assertThat(future.awaitClose()).isEqualTo("1008 stale_timestamp");
    // At the edge of the window it passes.
    RawRelayClient edge = raw(a);
    edge.answer(FAM, now() - 300);
    edge.ready();
  }

  @Test
  void anAnswerToAnotherConnectionsChallengeIsRefused() throws Exception {
    relay(new JsonObject());
    RawRelayClient first = raw(a);
    String firstNonce = first.challenge();
    RawRelayClient second = raw(a);
    second.challenge();
    second.sendText(ConnectAuth.sign(a, FAM, now(), firstNonce).toJson().encode());
    assertThat(second.awaitClose()).isEqualTo("1008 replayed");
  }

  @Test
  void malformedAnswersUnknownBlockchainsAndEarlyDataAreRefused() throws Exception {
    relay(new JsonObject());
    RawRelayClient notJson = raw(a);
    notJson.challenge();
    notJson.sendText("not json");
    assertThat(notJson.awaitClose()).isEqualTo("1008 malformed");

    RawRelayClient missing = raw(a);
    missing.challenge();
    missing.sendText(new JsonObject().put("type", "auth").put("blockchain_id", FAM).encode());
    assertThat(missing.awaitClose()).isEqualTo("1008 malformed");

    RawRelayClient huge = raw(a);
    String nonce = huge.challenge();
    huge.sendText(ConnectAuth.sign(a, FAM, now(), nonce).toJson().put("pad", "x".repeat(2_000)).encode());
    assertThat(huge.awaitClose()).isEqualTo("1008 malformed");

    RawRelayClient unknown = raw(a);
    unknown.answer("no-such-chain", now());
    assertThat(unknown.awaitClose()).isEqualTo("1008 unknown_blockchain");

    RawRelayClient early = raw(a);
    early.challenge();
    early.sendFrame(RelayFrame.send(Hex.decode(b.publicKeyHex()), utf8("before auth")));
    assertThat(early.awaitClose()).isEqualTo("1008 unexpected_frame");

    // A text frame once the connection is open is not part of the protocol either.
    RawRelayClient textAfter = connect(a, FAM);
    textAfter.sendText("{}");
    assertThat(textAfter.awaitClose()).isEqualTo("1008 unexpected_frame");
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"malformed\"}")).isEqualTo(3);
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"unexpected_frame\"}")).isEqualTo(1);
    assertThat(relay.metric("kinmesh_relay_forward_closes_total{reason=\"unexpected_frame\"}")).isEqualTo(1);
  }

  @Test
  void aConnectionThatDoesNotAnswerInTimeIsClosed() throws Exception {
    relay(new JsonObject().put("relayed_handshake_timeout_secs", 1));
    RawRelayClient silent = raw(a);
    silent.challenge();
    assertThat(silent.awaitClose()).isEqualTo("1008 handshake_timeout");
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"handshake_timeout\"}")).isEqualTo(1);
  }

  @Test
  void anUpgradeOnAnotherPathIsRejectedAndHttpStillWorks() throws Exception {
    relay(new JsonObject());
    var client = clients.createWebSocketClient();
    Throwable t = Await.failure(RawRelayClient.connect(client, relay.port(), "/relay/v1/other"));
    assertThat(t.getMessage()).contains("404");
    assertThat(relay.metrics()).contains("kinmesh_relay_forward_connections");
  }

  // ---- de-authorization ----

  @Test
  void deauthorizationClosesTheConnectionAndKeepsTheKeyOut() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    ca.send(b, utf8("before"));
    assertDelivered(cb.nextInbound(), a, "before");

    assertThat(relay.authorize(FAM, b, AuthorizeNodeRequest.Action.REMOVE).ok()).isTrue();
    assertThat(cb.awaitClose()).isEqualTo("1008 deauthorized");
    ca.send(b, utf8("after"));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.NOT_CONNECTED);
    RawRelayClient again = raw(b);
    again.answer(FAM, now());
    assertThat(again.awaitClose()).isEqualTo("1008 unauthorized");
    assertThat(relay.metric("kinmesh_relay_forward_closes_total{reason=\"deauthorized\"}")).isEqualTo(1);

    // Authorized again, it may connect again.
    assertThat(relay.authorize(FAM, b, AuthorizeNodeRequest.Action.ADD).ok()).isTrue();
    RawRelayClient back = connect(b, FAM);
    ca.send(b, utf8("welcome back"));
    assertDelivered(back.nextInbound(), a, "welcome back");
  }

  // ---- limits ----

  @Test
  void anOversizedFrameIsRefusedAndTheConnectionStays() throws Exception {
    relay(new JsonObject().put("relayed_bytes_per_sec", 1 << 24));
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    byte[] max = new byte[RelayFrame.MAX_PAYLOAD_BYTES];
    Arrays.fill(max, (byte) 'm');
    ca.send(b, max);
    RelayFrame.Inbound in = cb.nextInbound();
    assertThat(in.payload()).hasSize(RelayFrame.MAX_PAYLOAD_BYTES);

    Buffer over = Buffer.buffer().appendByte(RelayFrame.SEND).appendBytes(Hex.decode(b.publicKeyHex()))
        .appendBytes(new byte[RelayFrame.MAX_PAYLOAD_BYTES + 1]);
    Await.result(ca.sendFrame(over));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.TOO_LARGE);
    ca.send(b, utf8("still up"));
    assertDelivered(cb.nextInbound(), a, "still up");
    assertThat(relay.metric("kinmesh_relay_forward_dropped_frames_total{reason=\"too_large\"}")).isEqualTo(1);

    // Past twice the limit Netty cuts the connection before the frame is buffered (1009, or no close frame: 1006).
    Buffer huge = Buffer.buffer().appendByte(RelayFrame.SEND).appendBytes(Hex.decode(b.publicKeyHex()))
        .appendBytes(new byte[RelayFrame.HARD_CAP_BYTES]);
    ca.sendFrame(huge);
    assertThat(ca.awaitClose()).matches("100[69] .*");
    assertThat(cb.binaries).isEmpty();
  }

  @Test
  void shortAndUnknownFramesAreDroppedAndCounted() throws Exception {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    Await.result(ca.sendFrame(Buffer.buffer(new byte[] {RelayFrame.SEND, 1, 2})));
    Await.result(ca.sendFrame(Buffer.buffer().appendByte(RelayFrame.DELIVER).appendBytes(Hex.decode(b.publicKeyHex()))
        .appendString("pretending to be the relay")));
    ca.send(b, utf8("real"));
    assertDelivered(cb.nextInbound(), a, "real");
    assertThat(cb.binaries).isEmpty();
    assertThat(relay.metric("kinmesh_relay_forward_dropped_frames_total{reason=\"malformed\"}")).isEqualTo(2);
  }

  @Test
  void perKeyFrameAndByteRatesAreEnforced() throws Exception {
    relay(new JsonObject().put("relayed_frames_per_sec", 5).put("relayed_bytes_per_sec", 65_536));
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    // Bytes: one 40 KiB payload fits the one-second budget of 64 KiB, a second does not yet.
    ca.send(b, new byte[40_960]);
    assertThat(cb.nextInbound().payload()).hasSize(40_960);
    ca.send(b, new byte[40_960]);
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.RATE_LIMITED);
    // Frames: the refused frame took nothing; four more small ones make five, the sixth is refused.
    for (int i = 0; i < 4; i++) {
      ca.send(b, utf8("f" + i));
      assertDelivered(cb.nextInbound(), a, "f" + i);
    }
    ca.send(b, utf8("sixth"));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.RATE_LIMITED);
    // The limit is per key: b still has its own budget.
    cb.send(a, utf8("b is fine"));
    assertDelivered(ca.nextInbound(), b, "b is fine");
    // A new connection of the same key does not get a fresh budget.
    RawRelayClient ca2 = connect(a, FAM);
    ca2.send(b, utf8("new socket"));
    assertUndeliverable(ca2.nextInbound(), b, Undeliverable.RATE_LIMITED);
    // One second later (the relay's clock), the budget is back.
    relay.clock.advanceSeconds(1);
    ca2.send(b, utf8("later"));
    assertDelivered(cb.nextInbound(), a, "later");
    assertThat(relay.metric("kinmesh_relay_forward_dropped_frames_total{reason=\"rate_limited\"}")).isEqualTo(3);
  }

  @Test
  void theQueueBoundHoldsWithASlowReader() throws Exception {
    long bound = 256 * 1024;
    relay(new JsonObject().put("relayed_queue_bytes", bound).put("relayed_frames_per_sec", 1_000_000)
        .put("relayed_bytes_per_sec", 1L << 34));
    RawRelayClient ca = connect(a, FAM);
    RawRelayClient cb = connect(b, FAM);
    cb.ws.pause(); // b stops reading: its socket, then the relay's queue for it, fill up
    byte[] payload = new byte[16 * 1024];
    int sent = 0;
    while (notices(ca, Undeliverable.QUEUE_FULL) < 20 && sent < 20_000) {
      List<Future<Void>> batch = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        batch.add(ca.sendFrame(RelayFrame.send(Hex.decode(b.publicKeyHex()), payload)));
        sent++;
      }
      Await.result(Future.all(batch));
    }
    int finalSent = sent;
    assertThat(notices(ca, Undeliverable.QUEUE_FULL)).as("queue_full notices after %d frames", sent).isPositive();
    ForwardHub.QueueInfo q = relay.hub().queue(FAM, b.publicKeyHex()).orElseThrow();
    assertThat(q.peakQueuedBytes()).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);

    // Once b reads again it gets exactly the frames that were not refused, and the queue drains.
    cb.ws.resume();
    awaitTrue("b has every accepted frame", () -> cb.binaryCount.get() == finalSent - noticesNow(ca));
    awaitTrue("queue drained", () -> relay.hub().queue(FAM, b.publicKeyHex()).orElseThrow().queuedBytes() == 0);
    assertThat(relay.metric("kinmesh_relay_forward_dropped_frames_total{reason=\"queue_full\"}"))
        .isEqualTo(noticesNow(ca));
    // The sender was never paused: its frames to others still flow.
    RawRelayClient cboth = connect(both, FAM);
    ca.send(both, utf8("unaffected"));
    assertDelivered(cboth.nextInbound(), a, "unaffected");
  }

  private final Map<RawRelayClient, java.util.concurrent.atomic.AtomicInteger> noticeCounts =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Drains the client's inbound frames, counting notices of one reason (any other frame fails the test). */
  private synchronized int notices(RawRelayClient c, Undeliverable reason) {
    var n = noticeCounts.computeIfAbsent(c, k -> new java.util.concurrent.atomic.AtomicInteger());
    Buffer f;
    while ((f = c.binaries.poll()) != null) {
      try {
        RelayFrame.Inbound in = RelayFrame.parseInbound(f);
        assertThat(in.reason()).isEqualTo(reason);
        n.incrementAndGet();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return n.get();
  }

  private long noticesNow(RawRelayClient c) {
    return notices(c, Undeliverable.QUEUE_FULL);
  }

  @Test
  void aConnectionThatStopsAnsweringPingsIsClosed() throws Exception {
    relay(new JsonObject().put("relayed_ping_secs", 1));
    RawRelayClient ca = connect(a, FAM);
    // b speaks WebSocket by hand and, once connected, never answers a ping: a peer that silently died.
    java.util.concurrent.BlockingQueue<WsWire.Frame> frames = new java.util.concurrent.LinkedBlockingQueue<>();
    WsWire.Reader reader = new WsWire.Reader();
    io.vertx.core.net.NetSocket socket = Await.result(clients.createNetClient().connect(relay.port(), "127.0.0.1"));
    socket.handler(bytes -> {
      reader.feed(bytes);
      if (reader.head() != null) {
        for (WsWire.Frame f = reader.next(); f != null; f = reader.next()) {
          frames.add(f);
        }
      }
    });
    socket.write(WsWire.upgradeRequest("127.0.0.1", relay.port(), RelayFrame.PATH, WsWire.newKey()));
    String nonce = Handshake.parseChallenge(next(frames).text());
    socket.write(WsWire.text(ConnectAuth.sign(b, FAM, now(), nonce).toJson().encode(), true));
    Handshake.parseReady(next(frames).text());
    assertThat(relay.hub().openConnections()).isEqualTo(2);

    assertThat(next(frames).opcode()).isEqualTo(WsWire.PING);
    awaitTrue("b closed for idleness", () -> relay.hub().openConnections() == 1);
    assertThat(relay.metric("kinmesh_relay_forward_closes_total{reason=\"idle_timeout\"}")).isEqualTo(1);
    // a answered every ping (Vert.x pongs automatically) and is still there; b is not.
    ca.send(b, utf8("are you there?"));
    assertUndeliverable(ca.nextInbound(), b, Undeliverable.NOT_CONNECTED);
    ca.send(a, utf8("alive"));
    assertDelivered(ca.nextInbound(), a, "alive");
    socket.close();
  }

  private static WsWire.Frame next(java.util.concurrent.BlockingQueue<WsWire.Frame> frames) throws InterruptedException {
    WsWire.Frame f = frames.poll(20, java.util.concurrent.TimeUnit.SECONDS);
    if (f == null) {
      throw new AssertionError("no frame within 20 s");
    }
    return f;
  }

  @Test
  void theConnectionCapRefusesUpgradesPastIt() throws Exception {
    relay(new JsonObject().put("relayed_max_connections", 1));
    connect(a, FAM);
    var client = clients.createWebSocketClient();
    Throwable t = Await.failure(RawRelayClient.connect(client, relay.port(), RelayFrame.PATH));
    assertThat(t.getMessage()).contains("503");
    assertThat(relay.metric("kinmesh_relay_forward_connects_total{outcome=\"too_many_connections\"}")).isEqualTo(1);
  }

  @Test
  void upgradesCountAgainstThePerAddressRateLimit() throws Exception {
    relay(new JsonObject().put("rate_limit_per_min", 2));
    raw(a);
    raw(a);
    var client = clients.createWebSocketClient();
    Throwable t = Await.failure(RawRelayClient.connect(client, relay.port(), RelayFrame.PATH));
    assertThat(t.getMessage()).contains("429");
  }

  @Test
  void stoppingTheRelayClosesConnectionsWithGoingAway() {
    relay(new JsonObject());
    RawRelayClient ca = connect(a, FAM);
    relay.stop();
    assertThat(ca.awaitClose()).isEqualTo("1001 going_away");
  }
}
