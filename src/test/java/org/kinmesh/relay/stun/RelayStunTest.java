package org.kinmesh.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.stun.FilterOutcome;
import org.kinmesh.stun.ProbeResult;
import org.kinmesh.stun.ProbeSettings;
import org.kinmesh.stun.StunAttribute;
import org.kinmesh.stun.StunClass;
import org.kinmesh.stun.StunCodec;
import org.kinmesh.stun.StunMessage;
import org.kinmesh.stun.StunServer;
import org.kinmesh.stun.StunSocketVerticle;
import org.kinmesh.stun.TransactionId;
import org.kinmesh.testing.Await;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.NatType;

/** The relay's STUN responder on loopback: 127.0.0.1 primary, 127.0.0.2 alternate. */
class RelayStunTest {
  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private RelayVerticle relay;

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private void start(JsonObject overrides) throws Exception {
    JsonObject json = new JsonObject().put("listen_addr", "127.0.0.1:0").put("db_path", dir.resolve("r.db").toString())
        .put("http_instances", 1).put("shutdown_grace_secs", 0)
        .put("stun_listen", "127.0.0.1:0").put("stun_alternate", "127.0.0.2");
    json.mergeIn(overrides);
    relay = new RelayVerticle(RelayConfig.fromJson(json, Map.of()), new ManualTimeSource(1_767_225_600_000L));
    Await.result(vertx.deployVerticle(relay));
  }

  private InetSocketAddress stun(int socket) {
    return relay.stunAddresses().get(socket);
  }

  static DatagramPacket exchange(DatagramSocket s, byte[] request, InetSocketAddress to) throws Exception {
    s.send(new DatagramPacket(request, request.length, to));
    DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
    s.receive(p);
    return p;
  }

  static DatagramSocket client(String ip) throws Exception {
    DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(ip));
    s.setSoTimeout(5_000);
    return s;
  }

  private String metrics() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.boundPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double count(String metrics, String outcome) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith("kinmesh_relay_stun_requests_total{outcome=\"" + outcome + "\"}")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no counter for " + outcome + " in\n" + metrics);
  }

  @Test
  void bindsFourSocketsAndOurProbeSeesNoNatOnLoopback() throws Exception {
    start(new JsonObject());
    List<InetSocketAddress> a = relay.stunAddresses();
    assertThat(a).hasSize(4);
    assertThat(a.get(0).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(a.get(3).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
    assertThat(a.get(1)).isEqualTo(new InetSocketAddress(a.get(0).getAddress(), a.get(3).getPort()));
    assertThat(a.get(2)).isEqualTo(new InetSocketAddress(a.get(3).getAddress(), a.get(0).getPort()));

    StunSocketVerticle client = new StunSocketVerticle("127.0.0.1", 0);
    Await.result(vertx.deployVerticle(client));
    InetSocketAddress me = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), client.boundPort());
    List<StunServer> servers = List.of(new StunServer("relay", stun(0)));
    ProbeResult full = Await.result(client.probe(servers, Set.of(), ProbeSettings.DEFAULT));
    assertThat(full.publicEndpoint()).isEqualTo(me);
    assertThat(full.natType()).isEqualTo(NatType.FULL_CONE);
    assertThat(full.observations().changePort()).isEqualTo(FilterOutcome.ANSWERED);
    ProbeResult open = Await.result(client.probe(servers, Set.of(me.getAddress()), ProbeSettings.DEFAULT));
    assertThat(open.natType()).isEqualTo(NatType.OPEN);
  }

  @Test
  void changeRequestAnswersFromTheAskedSocket() throws Exception {
    start(new JsonObject());
    try (DatagramSocket s = client("127.0.0.1")) {
      InetSocketAddress me = (InetSocketAddress) s.getLocalSocketAddress();
      for (int flags = 0; flags < 4; flags++) {
        byte[] req = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random(),
            new StunAttribute.ChangeRequest((flags & 2) != 0, (flags & 1) != 0)));
        DatagramPacket p = exchange(s, req, stun(0));
        assertThat(p.getSocketAddress()).as("flags %d", flags).isEqualTo(stun(flags));
        StunMessage m = StunCodec.decode(p.getData(), 0, p.getLength());
        assertThat(m.mappedAddress()).contains(me);
        assertThat(m.otherAddress()).contains(stun(3));
        assertThat(m.first(StunAttribute.ResponseOrigin.class).orElseThrow().address()).isEqualTo(stun(flags));
      }
      // asked on the alternate: OTHER-ADDRESS is the primary
      DatagramPacket p = exchange(s, StunCodec.encode(StunMessage.bindingRequest(TransactionId.random())), stun(3));
      assertThat(StunCodec.decode(p.getData(), 0, p.getLength()).otherAddress()).contains(stun(0));
    }
  }

  @Test
  void countsEveryOutcomeAndRateLimitsPerSourceIp() throws Exception {
    // one event loop: with several, SO_REUSEPORT may hand the marker below to another loop than the requests
    start(new JsonObject().put("stun_rate_limit_per_min", 4).put("stun_threads", 1));
    try (DatagramSocket s = client("127.0.0.1"); DatagramSocket marker = client("127.0.0.3")) {
      byte[] ok = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random()));
      byte[] allocate = StunCodec.encode(new StunMessage(StunClass.REQUEST, 0x003, TransactionId.random(), List.of(),
          true));
      byte[] unknown = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random(),
          new StunAttribute.Opaque(0x0024, new byte[4])));
      for (int i = 0; i < 2; i++) {
        DatagramPacket p = exchange(s, ok, stun(0));
        assertThat(StunCodec.decode(p.getData(), 0, p.getLength()).cls()).isEqualTo(StunClass.SUCCESS);
      }
      DatagramPacket bad = exchange(s, allocate, stun(0));
      assertThat(StunCodec.decode(bad.getData(), 0, bad.getLength()).errorCode().orElseThrow().code()).isEqualTo(400);
      DatagramPacket u = exchange(s, unknown, stun(0));
      assertThat(StunCodec.decode(u.getData(), 0, u.getLength()).errorCode().orElseThrow().code()).isEqualTo(420);
      // 127.0.0.1 has used its 4 a minute: these are dropped, unanswered
      for (int i = 0; i < 3; i++) {
        s.send(new DatagramPacket(ok, ok.length, stun(0)));
      }
      // another source IP, sent after them to the same socket, is answered after they were handled
      byte[] junk = new byte[] {0, 1, 0, 0, 1, 2, 3};
      marker.send(new DatagramPacket(junk, junk.length, stun(0)));
      byte[] huge = new byte[1700];
      marker.send(new DatagramPacket(huge, huge.length, stun(0)));
      exchange(marker, ok, stun(0));
      s.setSoTimeout(200);
      try {
        s.receive(new DatagramPacket(new byte[1500], 1500));
        throw new AssertionError("a rate-limited request was answered");
      } catch (SocketTimeoutException expected) {
        // the three over the limit got nothing
      }
      String m = metrics();
      assertThat(count(m, "ok")).isEqualTo(3);
      assertThat(count(m, "bad_request")).isEqualTo(1);
      assertThat(count(m, "unknown_attribute")).isEqualTo(1);
      assertThat(count(m, "rate_limited")).isEqualTo(3);
      assertThat(count(m, "malformed")).isEqualTo(1);
      assertThat(count(m, "oversized")).isEqualTo(1);
    }
  }

  @Test
  void canBeTurnedOffAndAnExplicitAddressMustBind() throws Exception {
    start(new JsonObject().put("stun_listen", "").put("stun_alternate", ""));
    assertThat(relay.stunAddresses()).isEmpty();
    try (DatagramSocket taken = client("127.0.0.1")) {
      RelayVerticle second = new RelayVerticle(RelayConfig.fromJson(new JsonObject().put("listen_addr", "127.0.0.1:0")
          .put("db_path", dir.resolve("r2.db").toString()).put("http_instances", 1)
          .put("stun_listen", "127.0.0.1:" + taken.getLocalPort()), Map.of()));
      Throwable e = Await.failure(vertx.deployVerticle(second));
      assertThat(e).hasMessageContaining("STUN responder cannot bind 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void aPlainResponderOnOneSocketRefusesChangeRequests() throws Exception {
    start(new JsonObject().put("stun_alternate", ""));
    assertThat(relay.stunAddresses()).hasSize(1);
    try (DatagramSocket s = client("127.0.0.1")) {
      DatagramPacket p = exchange(s, StunCodec.encode(StunMessage.bindingRequest(TransactionId.random(),
          new StunAttribute.ChangeRequest(true, true))), stun(0));
      StunMessage m = StunCodec.decode(p.getData(), 0, p.getLength());
      assertThat(m.errorCode().orElseThrow().code()).isEqualTo(420);
      assertThat(p.getSocketAddress()).isEqualTo(stun(0));
    }
  }
}
