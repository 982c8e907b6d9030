package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.ManualTimeSource;

/** The node's Stun verticle over a real UdpTransport on loopback. */
class StunVerticleTest {
  private static final ProbeSettings QUICK = new ProbeSettings(50, 300, 150, 1_000);
  @TempDir
  Path dir;
  private Vertx vertx;
  private UdpTransport udp;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
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

  private JsonObject ask(String address) {
    return Await.result(vertx.eventBus().<JsonObject>request(address, null)).body();
  }

  @Test
  void findsTheTransportsOwnEndpointThroughTheRelayResponder() {
    try (LocalRelay relay = new LocalRelay(dir, "chain", new JsonObject().put("stun_alternate", "127.0.0.2"),
        new ManualTimeSource(LocalRelay.START_SECS * 1000)).start();
        Events states = new Events(vertx, org.kinmesh.stun.StunAddresses.DEFAULT.state())) {
      InetSocketAddress server = relay.stunAddresses().get(0);
      stun(List.of("127.0.0.1:" + server.getPort()));
      JsonObject s = states.next();
      assertThat(s.getString("public_ip")).isEqualTo("127.0.0.1");
      assertThat(s.getInteger("public_port")).as("the mapping is the UdpTransport socket's").isEqualTo(udp.boundPort());
      assertThat(s.getString("nat_type")).isEqualTo("open");
      assertThat(s.getInteger("local_port")).isEqualTo(udp.boundPort());
      assertThat(ask(org.kinmesh.stun.StunAddresses.DEFAULT.stateQuery())).isEqualTo(s);
      // a refresh that finds the same endpoint still publishes it (consumers learn it is fresh)
      assertThat(ask(org.kinmesh.stun.StunAddresses.DEFAULT.refresh())).isEqualTo(s);
      assertThat(states.next()).isEqualTo(s);
      JsonObject transport = ask(UdpAddresses.DEFAULT.info());
      assertThat(transport.getJsonObject("received").getLong("stun")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void withoutServersTheViewIsUnknownAndNothingIsSent() {
    stun(List.of());
    JsonObject s = ask(org.kinmesh.stun.StunAddresses.DEFAULT.stateQuery());
    assertThat(s.getValue("public_ip")).isNull();
    assertThat(s.getValue("public_port")).isNull();
    assertThat(s.getString("nat_type")).isEqualTo("unknown");
    assertThat(ask(org.kinmesh.stun.StunAddresses.DEFAULT.refresh())).isEqualTo(s);
    assertThat(ask(UdpAddresses.DEFAULT.info()).getLong("sent")).isZero();
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
  void aChangedMappingIsPublished() {
    AtomicInteger mapped = new AtomicInteger(40_000);
    int port = scriptedServer(mapped);
    try (Events states = new Events(vertx, org.kinmesh.stun.StunAddresses.DEFAULT.state())) {
      stun(List.of("127.0.0.1:" + port));
      JsonObject first = states.next();
      assertThat(first.getString("public_ip")).isEqualTo("198.51.100.7");
      assertThat(first.getInteger("public_port")).isEqualTo(40_000);
      assertThat(first.getString("nat_type")).as("one server without OTHER-ADDRESS").isEqualTo("unknown");
      mapped.set(40_123);
      JsonObject after = ask(org.kinmesh.stun.StunAddresses.DEFAULT.refresh());
      assertThat(after.getInteger("public_port")).isEqualTo(40_123);
      assertThat(states.next()).isEqualTo(after);
    }
  }

  @Test
  void aSilentServerLeavesTheViewUnknown() {
    DatagramSocket silent = vertx.createDatagramSocket();
    int port = Await.result(silent.listen(0, "127.0.0.1")).localAddress().port();
    stun(List.of("127.0.0.1:" + port));
    JsonObject s = ask(org.kinmesh.stun.StunAddresses.DEFAULT.refresh()); // joins the start-up probe: replies when it is over
    assertThat(s.getValue("public_ip")).isNull();
    assertThat(s.getString("nat_type")).isEqualTo("unknown");
  }
}
