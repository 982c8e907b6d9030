package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.StdCapture;

/** Issue 12.7: a relay that cannot bind names the address and the config key. */
class RelayCommandTest {
  @TempDir
  Path dir;
  final StdCapture std = new StdCapture();

  int exitCodeWithin60s(JsonObject config) throws Exception {
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, config.put("db_path", dir.resolve("relay.db").toString()).encode());
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
        () -> std.during(() -> Main.run("relay", "--conf", conf.toString())));
    try {
      return code.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("kinmesh relay did not exit: it started instead of refusing");
    }
  }

  @Test
  void aTakenListenAddrIsNamedWithItsConfigKey() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      assertThat(exitCodeWithin60s(new JsonObject().put("listen_addr", addr).put("stun_listen", "off")))
          .isEqualTo(ExitCodes.FAILURE);
      assertThat(std.err()).contains("listen_addr").contains(addr).contains("in use");
    }
  }

  @Test
  void aTakenStunListenIsNamedWithItsConfigKey() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      assertThat(exitCodeWithin60s(new JsonObject().put("listen_addr", "127.0.0.1:0").put("stun_listen", addr)))
          .isEqualTo(ExitCodes.FAILURE);
      assertThat(std.err()).contains("stun_listen").contains(addr);
    }
  }
}
