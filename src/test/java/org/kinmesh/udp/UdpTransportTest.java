package org.kinmesh.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.testing.Await;

class UdpTransportTest {
  private Vertx vertx;
  private UdpTransport a;
  private UdpTransport b;
  private final UdpAddresses addrA = new UdpAddresses("test.a");
  private final UdpAddresses addrB = new UdpAddresses("test.b");

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    a = new UdpTransport("127.0.0.1", 0, addrA);
    b = new UdpTransport("127.0.0.1", 0, addrB);
    Await.result(vertx.deployVerticle(a));
    Await.result(vertx.deployVerticle(b));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private Promise<UdpDatagram> next(UdpAddresses at, DatagramKind kind) {
    Promise<UdpDatagram> p = Promise.promise();
    vertx.eventBus().<UdpDatagram>consumer(at.inbound(kind), m -> p.tryComplete(m.body()))
        .completion().toCompletionStage().toCompletableFuture().join();
    return p;
  }

  private JsonObject info(UdpAddresses at) {
    return Await.result(vertx.eventBus().<JsonObject>request(at.info(), null)).body();
  }

  @Test
  void deliversEachKindToItsAddressWithTheSender() {
    Promise<UdpDatagram> gossip = next(addrB, DatagramKind.GOSSIP);
    Promise<UdpDatagram> link = next(addrB, DatagramKind.LINK);
    Buffer g = Buffer.buffer(new byte[] {0x4B, 0x01, 0x01, '{', '}'});
    Buffer l = Buffer.buffer(new byte[] {0x4B, 0x01, 0x20, 1, 2, 3});
    vertx.eventBus().send(addrA.send(), new UdpDatagram("127.0.0.1", b.boundPort(), g));
    vertx.eventBus().send(addrA.send(), new UdpDatagram("127.0.0.1", b.boundPort(), l));
    UdpDatagram got = Await.result(gossip.future());
    assertEquals(g, got.data());
    assertEquals("127.0.0.1", got.host());
    assertEquals(a.boundPort(), got.port(), "the sender is the other transport's socket");
    assertEquals(l, Await.result(link.future()).data());
  }

  @Test
  void dropsAndCountsUnknownAndOversizedDatagrams() {
    Promise<UdpDatagram> gossip = next(addrB, DatagramKind.GOSSIP);
    // Sent from a raw socket: the transport refuses to send oversized datagrams itself.
    var raw = vertx.createDatagramSocket();
    Await.result(raw.send(Buffer.buffer("hello"), b.boundPort(), "127.0.0.1"));
    Await.result(raw.send(Buffer.buffer(new byte[UdpTransport.MAX_DATAGRAM_BYTES + 1]), b.boundPort(), "127.0.0.1"));
    // Datagrams on one socket pair arrive in order on loopback; this marker shows the others were handled.
    Await.result(raw.send(Buffer.buffer(new byte[] {0x4B, 0x01, 0x02}), b.boundPort(), "127.0.0.1"));
    Await.result(gossip.future());
    JsonObject info = info(addrB);
    assertEquals(1, info.getLong("dropped_unknown"));
    assertEquals(1, info.getLong("dropped_oversized"));
    assertEquals(1, info.getJsonObject("received").getLong("gossip"));
    Await.result(raw.close());
  }

  @Test
  void refusesToSendOversizedDatagrams() {
    vertx.eventBus().send(addrA.send(),
        new UdpDatagram("127.0.0.1", b.boundPort(), Buffer.buffer(new byte[UdpTransport.MAX_DATAGRAM_BYTES + 1])));
    Promise<UdpDatagram> marker = next(addrB, DatagramKind.PUNCH);
    vertx.eventBus().send(addrA.send(), new UdpDatagram("127.0.0.1", b.boundPort(),
        Buffer.buffer(new byte[] {0x4B, 0x01, 0x10})));
    Await.result(marker.future());
    JsonObject info = info(addrA);
    assertEquals(1, info.getLong("send_failures"));
    assertEquals(1, info.getLong("sent"));
    assertEquals(0, info(addrB).getLong("dropped_oversized"));
  }

  @Test
  void reportsItsBoundAddress() {
    JsonObject info = info(addrA);
    assertEquals("127.0.0.1", info.getString("host"));
    assertTrue(info.getInteger("port") > 0);
    assertEquals(a.boundPort(), info.getInteger("port"));
  }
}
