package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.testing.Await;
import org.kinmesh.wire.gossip.NatType;

/** The client shell on a real UDP socket against coturn on loopback. */
class StunClientTest {
  private static final ProbeSettings QUICK = new ProbeSettings(50, 400, 150, 1_000);
  private Vertx vertx;
  private StunSocketVerticle client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = new StunSocketVerticle("127.0.0.1", 0);
    Await.result(vertx.deployVerticle(client));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private static StunServer server(String name, InetSocketAddress a) {
    return new StunServer(name, a);
  }

  @Test
  void runsTheRfc5780TestsAgainstCoturn() throws Exception {
    try (Coturn coturn = Coturn.start()) {
      // With no local addresses, "open" cannot short-circuit: every test runs, and on loopback
      // nothing filters or remaps, so the answer is endpoint-independent everything.
      ProbeResult r = Await.result(client.probe(List.of(server("coturn", coturn.primary())), Set.of(), QUICK));
      InetSocketAddress me = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), client.boundPort());
      assertThat(r.publicEndpoint()).isEqualTo(me);
      assertThat(r.natType()).isEqualTo(NatType.FULL_CONE);
      assertThat(r.observations().changeBoth()).isEqualTo(FilterOutcome.ANSWERED);
      assertThat(r.observations().mappedAltIp()).isEqualTo(me);
      assertThat(r.servers().get(0).otherAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), coturn.altPort));

      ProbeResult open = Await.result(client.probe(List.of(server("coturn", coturn.primary())),
          Set.of(InetAddress.getByName("127.0.0.1")), QUICK));
      assertThat(open.natType()).isEqualTo(NatType.OPEN);
      assertThat(open.publicEndpoint()).isEqualTo(me);
    }
  }

  @Test
  void firstSuccessWinsAfterASilentServer() throws Exception {
    try (Coturn coturn = Coturn.start(); DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      InetSocketAddress dead = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), silent.getLocalPort());
      ProbeResult r = Await.result(client.probe(List.of(server("silent", dead), server("coturn", coturn.primary())),
          Set.of(InetAddress.getByName("127.0.0.1")), QUICK));
      assertThat(r.server()).isEqualTo("coturn");
      assertThat(r.servers()).extracting(ServerOutcome::error).containsExactly("timeout", null);
      assertThat(r.elapsedMillis()).isBetween(400L, 5_000L);
      assertThat(r.natType()).isEqualTo(NatType.OPEN);
    }
  }

  @Test
  void nothingAnswersIsAResultNotAFailure() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      InetSocketAddress dead = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), silent.getLocalPort());
      ProbeResult r = Await.result(client.probe(List.of(server("silent", dead)), Set.of(), QUICK));
      assertThat(r.publicEndpoint()).isNull();
      assertThat(r.natType()).isEqualTo(NatType.UNKNOWN);
    }
  }

  @Test
  void resolvesInOrderAndLeavesOutWhatTheSocketCannotReach() {
    // literals and /etc/hosts only: tests send no DNS queries
    StunResolver.Resolved r = Await.result(StunResolver.resolve(vertx, List.of(ServerSpec.parse("127.0.0.2:3479"),
        ServerSpec.parse("[::1]:3478"), ServerSpec.parse("127.0.0.1")), true));
    assertThat(r.servers()).extracting(StunServer::name).containsExactly("127.0.0.2:3479", "127.0.0.1:3478");
    assertThat(r.servers().get(1).address()).isEqualTo(new InetSocketAddress("127.0.0.1", 3478));
    assertThat(r.failures()).extracting(ServerOutcome::error).containsExactly("no IPv4 address");
  }

  @Test
  void literalAddressesNeverLookUpNames() {
    assertThat(StunClient.literal("127.0.0.1", 5)).isNotNull();
    assertThat(StunClient.literal("0:0:0:0:0:0:0:1", 5)).isEqualTo(new InetSocketAddress("::1", 5));
    assertThat(StunClient.literal("localhost", 5)).isNull();
    assertThat(StunClient.endpointText(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 9))).isEqualTo("[2001:db8::1]:9");
  }
}
