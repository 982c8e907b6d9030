package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/**
 * The node's Stun verticle over a real UdpTransport on loopback. Its view travels as a typed
 * StunView (issue 14: parsed once), never as a JsonObject each consumer re-parses.
 */
class StunVerticleTest {
  private static final ProbeSettings QUICK = new ProbeSettings(50, 300, 150, 1_000);
  @TempDir
  Path dir;
  private Vertx vertx;
  private UdpTransport udp;
  private final BlockingQueue<Object> published = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Await.result(vertx.eventBus().localConsumer(StunAddresses.DEFAULT.state(), m -> published.add(m.body())).completion());
    udp = new UdpTransport("127.0.0.1", 0, UdpAddresses.DEFAULT);
    Await.result(vertx.deployVerticle(udp));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private StunVerticle stun(List<String> servers) {
    StunVerticle v = new StunVerticle(new StunSettings(servers.stream().map(ServerSpec::parse).toList(), 300_000,
        60_000, QUICK), UdpAddresses.DEFAULT);
    Await.result(vertx.deployVerticle(v));
    return v;
  }

  /** The answer on {@code address}, which must be the typed view. */
  private StunView ask(String address) {
    return typed(Await.result(vertx.eventBus().request(address, null)).body());
  }

  /** The next view published on StunAddresses#state (a bounded wait, not a sleep). */
  private StunView next() throws InterruptedException {
    Object body = published.poll(20, TimeUnit.SECONDS);
    assertThat(body).as("a view published on stun.state within 20 s").isNotNull();
    return typed(body);
  }

  private static StunView typed(Object body) {
    assertThat(body).as("the STUN view travels as the typed StunView").isInstanceOf(StunView.class);
    return (StunView) body;
  }

  @Test
  void findsTheTransportsOwnEndpointThroughTheRelayResponder() throws Exception {
    try (LocalRelay relay = new LocalRelay(dir, "chain", new JsonObject().put("stun_alternate", "127.0.0.2"),
        new ManualTimeSource(LocalRelay.START_SECS * 1000)).start()) {
      InetSocketAddress server = relay.stunAddresses().get(0);
      stun(List.of("127.0.0.1:" + server.getPort()));
      StunView s = next();
      assertThat(s.publicEndpoint()).as("the mapping is the UdpTransport socket's")
          .contains(new Endpoint("127.0.0.1", udp.boundPort()));
      assertThat(s.natType()).isEqualTo(NatType.OPEN);
      assertThat(s.localPort()).isEqualTo(udp.boundPort());
      assertThat(ask(StunAddresses.DEFAULT.stateQuery())).isEqualTo(s);
      // a refresh that finds the same endpoint still publishes it (consumers learn it is fresh)
      assertThat(ask(StunAddresses.DEFAULT.refresh())).isEqualTo(s);
      assertThat(next()).isEqualTo(s);
      JsonObject transport = Await.result(vertx.eventBus().<JsonObject>request(UdpAddresses.DEFAULT.info(), null)).body();
      assertThat(transport.getJsonObject("received").getLong("stun")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void withoutServersTheViewIsUnknownAndNothingIsSent() {
    stun(List.of());
    StunView s = ask(StunAddresses.DEFAULT.stateQuery());
    assertThat(s.publicEndpoint()).isEmpty();
    assertThat(s.natType()).isEqualTo(NatType.UNKNOWN);
    assertThat(s.toJson().getValue("public_ip")).as("JSON only where it leaves the node").isNull();
    assertThat(ask(StunAddresses.DEFAULT.refresh())).isEqualTo(s);
    assertThat(Await.result(vertx.eventBus().<JsonObject>request(UdpAddresses.DEFAULT.info(), null)).body().getLong("sent")).isZero();
  }

  /** A STUN server that reports whatever mapping the test says, as a NAT whose mapping changed would. */
  private int scriptedServer(AtomicInteger mappedPort) {
    DatagramSocket s = vertx.createDatagramSocket();
    s.handler(p -> {
      try {
        StunMessage req = StunCodec.decode(p.data().getBytes());
        byte[] resp = StunCodec.encode(new StunMessage(StunClass.SUCCESS, StunMessage.BINDING, req.id(), List.of(
            new StunAttribute.XorMappedAddress(new InetSocketAddress("198.51.100.7", mappedPort.get()))), true));
        s.send(Buffer.buffer(resp), p.sender().port(), p.sender().hostAddress());
      } catch (StunParseException e) {
        throw new AssertionError(e);
      }
    });
    return Await.result(s.listen(0, "127.0.0.1")).localAddress().port();
  }

  @Test
  void aChangedMappingIsPublished() throws Exception {
    AtomicInteger mapped = new AtomicInteger(40_000);
    int port = scriptedServer(mapped);
    stun(List.of("127.0.0.1:" + port));
    StunView first = next();
    assertThat(first.publicEndpoint()).contains(new Endpoint("198.51.100.7", 40_000));
    assertThat(first.natType()).as("one server without OTHER-ADDRESS").isEqualTo(NatType.UNKNOWN);
    mapped.set(40_123);
    StunView after = ask(StunAddresses.DEFAULT.refresh());
    assertThat(after.publicEndpoint().map(Endpoint::port)).contains(40_123);
    assertThat(next()).isEqualTo(after);
  }

  @Test
  void aSilentServerLeavesTheViewUnknown() {
    DatagramSocket silent = vertx.createDatagramSocket();
    int port = Await.result(silent.listen(0, "127.0.0.1")).localAddress().port();
    stun(List.of("127.0.0.1:" + port));
    StunView s = ask(StunAddresses.DEFAULT.refresh()); // joins the start-up probe: replies when it is over
    assertThat(s.publicEndpoint()).isEmpty();
    assertThat(s.natType()).isEqualTo(NatType.UNKNOWN);
  }
}
