package org.kinmesh.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.testing.Await;

/** coturn's own STUN client reads the right mapped address (and RFC 5780 answers) from the relay's responder. */
class TurnutilsStunclientTest {
  private static final Path BINARY = Path.of("/usr/bin/turnutils_stunclient");
  private static final Pattern REFLEXIVE = Pattern.compile("UDP reflexive addr: ([0-9.]+):([0-9]+)");

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private List<InetSocketAddress> startRelay(String alternate) throws Exception {
    RelayVerticle relay = new RelayVerticle(RelayConfig.fromJson(new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("r.db").toString()).put("http_instances", 1)
        .put("stun_listen", "127.0.0.1:0").put("stun_alternate", alternate), Map.of()));
    Await.result(vertx.deployVerticle(relay));
    return relay.stunAddresses();
  }

  /** Runs the client bound to 127.0.0.3, so the reflexive IP it prints can only come from our answer. */
  private static String run(List<String> args) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(BINARY), "turnutils_stunclient is not installed (Debian package"
        + " coturn): apt-get install coturn to run this test");
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-L", "127.0.0.3"));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("turnutils_stunclient did not finish");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  private static List<String> reflexive(String out) {
    List<String> found = new ArrayList<>();
    Matcher m = REFLEXIVE.matcher(out);
    while (m.find()) {
      found.add(m.group(1) + ":" + m.group(2));
    }
    return found;
  }

  @Test
  void plainBindingGivesTheMappedAddress() throws Exception {
    List<InetSocketAddress> stun = startRelay("");
    String out = run(List.of("-p", Integer.toString(stun.get(0).getPort()), "127.0.0.1"));
    List<String> mapped = reflexive(out);
    assertThat(mapped).as(out).isNotEmpty();
    for (String m : mapped) {
      assertThat(m).as(out).startsWith("127.0.0.3:");
      assertThat(Integer.parseInt(m.substring(10))).as(out).isBetween(1024, 65535);
    }
  }

  @Test
  void rfc5780ModeSeesOtherAddressResponseOriginAndTheChangedAnswers() throws Exception {
    List<InetSocketAddress> stun = startRelay("127.0.0.2");
    String out = run(List.of("-f", "-p", Integer.toString(stun.get(0).getPort()), "127.0.0.1"));
    String primary = "127.0.0.1:" + stun.get(0).getPort();
    String alternate = "127.0.0.2:" + stun.get(3).getPort();
    assertThat(out).contains("Response origin: : " + primary).contains("Other addr: : " + alternate)
        .contains("Response origin: : " + alternate);
    List<String> mapped = reflexive(out);
    assertThat(mapped).as(out).hasSizeGreaterThanOrEqualTo(3);
    assertThat(mapped.get(0)).as(out).startsWith("127.0.0.3:").isEqualTo(mapped.get(1));
  }
}
