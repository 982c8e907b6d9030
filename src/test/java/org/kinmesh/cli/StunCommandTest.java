package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.stun.Coturn;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

/** {@code kinmesh stun} against the relay's responder and coturn, both on loopback. */
class StunCommandTest {
  @TempDir
  Path dir;
  @RegisterExtension
  final StdCapture std = new StdCapture();
  private Vertx vertx;

  @AfterEach
  void closeVertx() {
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  private List<InetSocketAddress> relayStun() throws Exception {
    vertx = Vertx.vertx();
    RelayVerticle relay = new RelayVerticle(RelayConfig.fromJson(new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("r.db").toString()).put("http_instances", 1)
        .put("stun_listen", "127.0.0.1:0").put("stun_alternate", "127.0.0.2"), Map.of()));
    Await.result(vertx.deployVerticle(relay));
    return relay.stunAddresses();
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void jsonAgainstTheRelayResponderFromAChosenPort() throws Exception {
    List<InetSocketAddress> stun = relayStun();
    int port = freeUdpPort();
    int code = Main.run("stun", "--json", "--local-port", Integer.toString(port), "127.0.0.1:" + stun.get(0).getPort());
    assertThat(code).as(std.err()).isZero();
    JsonObject j = new JsonObject(std.out().trim());
    assertThat(j.getString("public_ip")).isEqualTo("127.0.0.1");
    assertThat(j.getInteger("public_port")).isEqualTo(port);
    assertThat(j.getString("nat_type")).isEqualTo("open");
    JsonObject server = j.getJsonArray("servers").getJsonObject(0);
    assertThat(server.getString("server")).isEqualTo("127.0.0.1:" + stun.get(0).getPort());
    assertThat(server.getString("mapped")).isEqualTo("127.0.0.1:" + port);
    assertThat(server.getString("other_address")).isEqualTo("127.0.0.2:" + stun.get(3).getPort());
  }

  @Test
  void textAgainstCoturn() throws Exception {
    try (Coturn coturn = Coturn.start()) {
      int code = Main.run("stun", "127.0.0.1:" + coturn.port);
      assertThat(code).as(std.err()).isZero();
      assertThat(std.out()).containsPattern("public endpoint: 127\\.0\\.0\\.1:\\d+")
          .contains("NAT type:        open")
          .contains("127.0.0.1:" + coturn.port + " (127.0.0.1:" + coturn.port + "): mapped 127.0.0.1:")
          .contains("other address 127.0.0.2:" + coturn.altPort);
    }
  }

  @Test
  void badServersAndOptionsAreUsageErrors() {
    String[][] cases = {
        {"bad_name:3478", "not a host name"}, {"127.0.0.1:0", "not in 1-65535"}, {"127.0.0.1:x", "not a number"},
        {"[::1", "missing ']'"}};
    for (String[] c : cases) {
      std.clearErr();
      assertThat(Main.run("stun", c[0])).as(c[0]).isEqualTo(2);
      assertThat(std.err()).as(c[0]).contains(c[1]);
    }
    std.clearErr();
    assertThat(Main.run("stun", "--local-port", "70000", "127.0.0.1")).isEqualTo(2);
    assertThat(std.err()).contains("--local-port must be 0-65535");
    assertThat(Main.run("stun", "--local-port", "abc", "127.0.0.1")).isEqualTo(2);
    std.clearErr();
    assertThat(Main.run("stun", "--local-address", "example.org", "127.0.0.1")).isEqualTo(2);
    assertThat(std.err()).contains("--local-address must be an IP address");
    assertThat(std.out()).isEmpty();
  }

  @Test
  void aTakenLocalPortOrNoAnswerIsAFailure() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getByName("0.0.0.0"))) {
      assertThat(Main.run("stun", "--local-port", Integer.toString(taken.getLocalPort()), "127.0.0.1:3478"))
          .isEqualTo(1);
      assertThat(std.err()).contains("cannot bind UDP 0.0.0.0:" + taken.getLocalPort());
    }
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      assertThat(Main.run("stun", "--json", "127.0.0.1:" + silent.getLocalPort())).isEqualTo(1);
      JsonObject j = new JsonObject(std.out().trim());
      assertThat(j.getValue("public_ip")).isNull();
      assertThat(j.getString("nat_type")).isEqualTo("unknown");
      assertThat(j.getJsonArray("servers").getJsonObject(0).getString("error")).isEqualTo("timeout");
    }
  }
}
