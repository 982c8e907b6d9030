package org.kinmesh.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.Addresses;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.TimeSource;

/** Two nodes' Punch verticles over real UDP sockets on loopback, each in its own Vert.x. */
class PunchVerticleTest {
  private final Identity a = TestKeys.key(1);
  private final Identity b = TestKeys.key(2);
  private final Identity outsider = TestKeys.key(3);
  private Vertx va;
  private Vertx vb;
  private UdpTransport udpA;
  private UdpTransport udpB;

  @BeforeEach
  void start() {
    va = Vertx.vertx();
    vb = Vertx.vertx();
    udpA = deploy(va, a);
    udpB = deploy(vb, b);
  }

  private UdpTransport deploy(Vertx v, Identity id) {
    UdpTransport udp = new UdpTransport("127.0.0.1", 0, UdpAddresses.DEFAULT);
    Await.result(v.deployVerticle(udp));
    // Stands in for the ledger: the authorized set, queried at start and published.
    v.eventBus().consumer(Addresses.AUTHORIZED_SET_QUERY, m -> m.reply(authorized()));
    Await.result(v.deployVerticle(new PunchVerticle("family", id, TimeSource.SYSTEM, UdpAddresses.DEFAULT)));
    v.eventBus().publish(Addresses.AUTHORIZED_SET, authorized());
    return udp;
  }

  private JsonObject authorized() {
    return new JsonObject().put("height", 1).put("keys", new JsonArray(List.of(a.publicKeyHex(), b.publicKeyHex())));
  }

  @AfterEach
  void stop() {
    Await.result(va.close());
    Await.result(vb.close());
  }

  private static Promise<JsonObject> nextPath(Vertx v) {
    Promise<JsonObject> p = Promise.promise();
    Await.result(v.eventBus().<JsonObject>consumer(PunchVerticle.PATH, m -> p.tryComplete(m.body())).completion());
    return p;
  }

  @Test
  void oneSideStartingOpensThePathOnBothSides() {
    Promise<JsonObject> atA = nextPath(va);
    Promise<JsonObject> atB = nextPath(vb);
    Await.result(va.eventBus().request(PunchVerticle.START, new JsonObject().put("peer", b.publicKeyHex())
        .put("endpoints", new JsonArray().add("127.0.0.1:" + udpB.boundPort()))));
    JsonObject pathA = Await.result(atA.future());
    JsonObject pathB = Await.result(atB.future());
    assertEquals(b.publicKeyHex(), pathA.getString("peer"));
    assertEquals("127.0.0.1:" + udpB.boundPort(), pathA.getString("endpoint"));
    assertEquals("127.0.0.1:" + udpA.boundPort(), pathB.getString("endpoint"), "B learned A from A's probe");
    assertEquals("127.0.0.1:" + udpA.boundPort(), pathA.getString("observed_self"));
  }

  @Test
  void startRefusesUnauthorizedPeersAndBadEndpoints() {
    Throwable t = Await.failure(va.eventBus().request(PunchVerticle.START,
        new JsonObject().put("peer", outsider.publicKeyHex()).put("endpoints", new JsonArray())));
    assertTrue(t.getMessage().contains("authorized"), t.getMessage());
    Throwable bad = Await.failure(va.eventBus().request(PunchVerticle.START,
        new JsonObject().put("peer", b.publicKeyHex()).put("endpoints", new JsonArray().add("localhost:1"))));
    assertTrue(bad.getMessage().contains("bad endpoint"), bad.getMessage());
  }

  @Test
  void probesFromOutsidersAndJunkAreDroppedAndCounted() {
    // An outsider's signed probe and a malformed one reach B; then a real one, as a marker.
    Probe fromOutsider = Probe.probe(outsider, "family", b.publicKeyHex(), Probe.newNonce(),
        TimeSource.SYSTEM.nowSeconds());
    send(va, udpB, fromOutsider.encode());
    send(va, udpB, io.vertx.core.buffer.Buffer.buffer(new byte[] {0x4B, 0x01, 0x10, '{'}));
    Probe wrongChain = Probe.probe(a, "other", b.publicKeyHex(), Probe.newNonce(),
        TimeSource.SYSTEM.nowSeconds());
    send(va, udpB, wrongChain.encode());
    Promise<JsonObject> atB = nextPath(vb);
    Await.result(va.eventBus().request(PunchVerticle.START, new JsonObject().put("peer", b.publicKeyHex())
        .put("endpoints", new JsonArray().add("127.0.0.1:" + udpB.boundPort()))));
    Await.result(atB.future());
    JsonObject drops = Await.result(vb.eventBus().<JsonObject>request(PunchVerticle.STATUS, null)).body()
        .getJsonObject("drops");
    assertEquals(1L, drops.getLong("unauthorized"));
    assertEquals(1L, drops.getLong("malformed"));
    assertEquals(1L, drops.getLong("wrong_blockchain"));
  }

  private static void send(Vertx from, UdpTransport to, io.vertx.core.buffer.Buffer data) {
    from.eventBus().send(UdpAddresses.DEFAULT.send(), new UdpDatagram("127.0.0.1", to.boundPort(), data));
  }
}
