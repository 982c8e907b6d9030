package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's relay walkthrough through the real fat jar: step by step with the relay's own
 * printed URL, and as the README's code block itself (tests/test_readme_walkthrough.sh).
 */
class CliIT {
  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  Run kinmesh(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("kinmesh.jar", "target/kinmesh.jar")));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out.trim(), Files.readString(err));
  }

  @Test
  void keygenRelayRegisterLookup() throws Exception {
    Run admin = kinmesh("keygen", "--out", "admin.key");
    assertThat(admin.exit()).isZero();
    assertThat(admin.out()).matches("[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin.key"))))
        .isEqualTo("rw-------");
    assertThat(kinmesh("keygen", "--out", "admin.key").exit()).isEqualTo(2);
    String a = kinmesh("keygen", "--out", "a.key").out();
    String b = kinmesh("keygen", "--out", "b.key").out();

    Files.writeString(dir.resolve("relay.json"), "{\"listen_addr\":\"127.0.0.1:0\",\"db_path\":\"relay.db\","
        + "\"admin_pubkeys\":[\"" + admin.out() + "\"]}");
    Process relay = new ProcessBuilder("java", "-jar", System.getProperty("kinmesh.jar", "target/kinmesh.jar"),
        "relay", "-conf", "relay.json").directory(dir.toFile()).redirectError(dir.resolve("relay.err").toFile()).start();
    try {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(relay.getInputStream())).readLine();
      assertThat(line).startsWith("kinmesh relay listening on http://127.0.0.1:");
      String url = line.substring(line.indexOf("http://"));

      Run reg = kinmesh("admin", "register-blockchain", "--relay", url, "--key", "admin.key", "--id", "fam",
          "--genesis-hash", "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e", "--authorize", a);
      assertThat(reg.exit()).as(reg.err()).isZero();
      assertThat(reg.out()).contains("\"created\" : true");
      Run auth = kinmesh("admin", "authorize-node", "--relay", url, "--key", "admin.key", "--id", "fam", "--pubkey", b,
          "--action", "add");
      assertThat(auth.exit()).as(auth.err()).isZero();
      Run register = kinmesh("relay-client", "register", "--relay", url, "--key", "a.key", "--id", "fam", "--ip",
          "203.0.113.7", "--port", "7070");
      assertThat(register.exit()).as(register.err()).isZero();
      assertThat(register.out()).contains("\"token\"");
      Run lookup = kinmesh("relay-client", "lookup", "--relay", url, "--key", "b.key", "--id", "fam", "--pubkey", a);
      assertThat(lookup.exit()).as(lookup.err()).isZero();
      assertThat(lookup.out()).contains("\"ip\" : \"203.0.113.7\"").contains("\"port\" : 7070");

      // refusals: exit 1 with the relay's code; usage errors: exit 2 with a fix
      Run denied = kinmesh("relay-client", "lookup", "--relay", url, "--key", "admin.key", "--id", "fam", "--pubkey", a);
      assertThat(denied.exit()).isEqualTo(1);
      assertThat(denied.err()).contains("403 unauthorized");
      Files.setPosixFilePermissions(dir.resolve("b.key"), PosixFilePermissions.fromString("rw-r--r--"));
      Run loose = kinmesh("relay-client", "lookup", "--relay", url, "--key", "b.key", "--id", "fam", "--pubkey", a);
      assertThat(loose.exit()).isEqualTo(2);
      assertThat(loose.err()).contains("chmod 600");
      Run badIp = kinmesh("relay-client", "register", "--relay", url, "--key", "a.key", "--id", "fam", "--ip",
          "relay.example", "--port", "7070");
      assertThat(badIp.exit()).isEqualTo(2);
      assertThat(badIp.err()).contains("--ip");
      Run down = kinmesh("relay-client", "lookup", "--relay", "http://127.0.0.1:1", "--key", "a.key", "--id", "fam",
          "--pubkey", b);
      assertThat(down.exit()).isEqualTo(1);
      assertThat(down.err()).contains("cannot reach relay");
    } finally {
      relay.destroy();
      relay.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * kinmesh pubkey and kinmesh tx send from the jar against a one-node chain run by the jar: the
   * last stdout line is {"hash","height"} and the node answers that transaction as committed there.
   */
  @Test
  void pubkeyAndTxSendAgainstANodeProcess() throws Exception {
    String guardian = kinmesh("keygen", "--out", "guardian.key").out();
    String node = kinmesh("keygen", "--out", "node.key").out();
    Run pub = kinmesh("pubkey", "--key", "node.key");
    assertThat(pub.exit()).as(pub.err()).isZero();
    assertThat(pub.out()).isEqualTo(node);
    assertThat(kinmesh("pubkey", "--key", "missing.key").err()).contains("kinmesh keygen --out missing.key");

    Files.writeString(dir.resolve("spec.json"), "{\"blockchain_id\":\"solo\",\"guardians\":[{\"pubkey\":\""
        + guardian + "\",\"display_name\":\"Mum\"}],\"consensus_nodes\":[{\"pubkey\":\"" + node
        + "\",\"node_id\":1}]}");
    assertThat(kinmesh("genesis", "--spec", "spec.json", "--out", "genesis.json").exit()).isZero();
    // No relay: a one-node chain needs none (relay_url points at a closed port; the node retries it).
    Files.writeString(dir.resolve("node.json"), "{\"identity_path\":\"node.key\",\"genesis_path\":\"genesis.json\","
        + "\"data_dir\":\"data\",\"api_listen\":\"127.0.0.1:0\",\"listen_host\":\"127.0.0.1\","
        + "\"gossip_udp_port\":0,\"relay_url\":\"http://127.0.0.1:1\",\"block_interval_ms\":100}");
    Process proc = new ProcessBuilder("java", "-jar", System.getProperty("kinmesh.jar", "target/kinmesh.jar"),
        "node", "-conf", "node.json").directory(dir.toFile()).redirectError(dir.resolve("node.err").toFile()).start();
    try {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream())).readLine();
      assertThat(line).as("node's first line").contains(" api on http://127.0.0.1:");
      String url = line.substring(line.indexOf("http://"));

      Run sent = kinmesh("tx", "send", "--node", url, "--key", "node.key", "--data", "hello from the jar",
          "--timeout", "60s");
      assertThat(sent.exit()).as(sent.err()).isZero();
      String[] lines = sent.out().split("\n");
      io.vertx.core.json.JsonObject last = new io.vertx.core.json.JsonObject(lines[lines.length - 1]);
      assertThat(last.fieldNames()).containsExactlyInAnyOrder("hash", "height");
      var http = java.net.http.HttpClient.newHttpClient();
      String tx = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/transactions/"
          + last.getString("hash"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertThat(new io.vertx.core.json.JsonObject(tx).getString("status")).isEqualTo("committed");
      assertThat(new io.vertx.core.json.JsonObject(tx).getLong("height")).isEqualTo(last.getLong("height"));

      Run refused = kinmesh("tx", "send", "--node", url, "--key", "guardian.key", "--data", "x", "--file", "spec.json");
      assertThat(refused.exit()).isEqualTo(2);
      Run down = kinmesh("tx", "send", "--node", "http://127.0.0.1:1", "--key", "node.key", "--data", "x");
      assertThat(down.exit()).isEqualTo(1);
      assertThat(down.err()).contains("cannot reach node");
    } finally {
      proc.destroy();
      proc.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The README block itself, cut out of README.md by the script, with the relay starting late. */
  @Test
  void theReadmeWalkthroughRunsAsPasted() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "tests/test_readme_walkthrough.sh").redirectErrorStream(true);
    pb.environment().put("KINMESH_JAR", System.getProperty("kinmesh.jar", "target/kinmesh.jar"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("PASS: the README walkthrough ran as pasted");
  }
}
