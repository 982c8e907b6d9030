package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.cli.Main;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;
import org.kinmesh.testing.TestKeys;

/** kinmesh tx send against real nodes: signed, submitted, committed, printed; and its clear failures. */
class TxSendCliTest {
  @TempDir
  Path dir;
  TestNetwork net;
  final StdCapture std = new StdCapture();
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  int run(String... args) {
    return std.during(() -> Main.run(args));
  }

  String url(int i) {
    return "http://127.0.0.1:" + net.node(i).node.apiPort();
  }

  JsonObject get(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body()).put("http_status", r.statusCode());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  JsonObject lastLine() {
    String[] lines = std.out().strip().split("\n");
    return new JsonObject(lines[lines.length - 1]);
  }

  Path keyFile(String name, int seed) throws Exception {
    Path f = dir.resolve(name);
    KeyFiles.write(f, TestKeys.key(seed));
    return f;
  }

  /** Every node answers GET /transactions/{hash} with committed at {@code height}. */
  void committedEverywhere(String hash, long height) {
    for (int i = 0; i < 4; i++) {
      int n = i;
      Await.until("node " + n + " knows " + hash + " committed", Duration.ofSeconds(20), () -> {
        JsonObject t = get(url(n) + "/transactions/" + hash);
        return "committed".equals(t.getString("status")) && t.getLong("height") == height;
      });
    }
  }

  @Test
  void sendsTextAndAFileAndEveryNodeFindsThemCommittedAtThePrintedHeight() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(1);
    // A node key may send DATA (Permissions: member or node).
    Path key = keyFile("n0.key", 101);
    assertThat(run("tx", "send", "--node", url(0), "--key", key.toString(), "--data", "hello family",
        "--timeout", "60s")).as(std.err()).isZero();
    JsonObject sent = lastLine();
    assertThat(sent.fieldNames()).containsExactlyInAnyOrder("hash", "height");
    assertThat(sent.getString("hash")).hasSize(64);
    committedEverywhere(sent.getString("hash"), sent.getLong("height"));
    JsonObject block = get(url(3) + "/blocks/" + sent.getLong("height"));
    assertThat(block.encode()).contains(Hex.encode("hello family".getBytes(StandardCharsets.UTF_8)));

    byte[] bytes = {0, 1, 2, (byte) 0xff, '\n'};
    Path file = Files.write(dir.resolve("data.bin"), bytes);
    assertThat(run("tx", "send", "--node", url(2), "--key", key.toString(), "--file", file.toString()))
        .as(std.err()).isZero();
    JsonObject second = lastLine();
    assertThat(second.getString("hash")).isNotEqualTo(sent.getString("hash"));
    committedEverywhere(second.getString("hash"), second.getLong("height"));
    assertThat(get(url(1) + "/blocks/" + second.getLong("height")).encode()).contains("000102ff0a");
  }

  @Test
  void aRefusedTransactionShowsTheNodesErrorAndAnUnreachableNodeSaysSo() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    Path stranger = keyFile("stranger.key", 55);
    assertThat(run("tx", "send", "--node", url(1), "--key", stranger.toString(), "--data", "x")).isEqualTo(1);
    assertThat(lastLine().getString("error")).isEqualTo("insufficient_permission");
    assertThat(std.err()).contains("node refused the transaction").contains("400 insufficient_permission")
        .contains(TestKeys.key(55).publicKeyHex().substring(0, 8));

    Path key = keyFile("n0.key", 101);
    assertThat(run("tx", "send", "--node", "http://127.0.0.1:1", "--key", key.toString(), "--data", "x"))
        .isEqualTo(1);
    assertThat(std.err()).contains("cannot reach node at http://127.0.0.1:1").contains("kinmesh node");
  }

  @Test
  void withoutAQuorumItTimesOutAndSaysTheTransactionIsPendingAndWhatToDo() throws Exception {
    net = new TestNetwork(dir, 4);
    net.restart(0); // one node of four: it accepts transactions but cannot commit them
    Path key = keyFile("n0.key", 101);
    assertThat(run("tx", "send", "--node", url(0), "--key", key.toString(), "--data", "x", "--timeout", "2s"))
        .isEqualTo(1);
    assertThat(std.err()).contains("not committed within 2s").contains("still pending")
        .contains(url(0) + "/transactions/").contains("--timeout");
    String hash = std.err().replaceAll("(?s).*/transactions/([0-9a-f]{64}).*", "$1");
    assertThat(get(url(0) + "/transactions/" + hash).getString("status")).isEqualTo("pending");
  }

  @Test
  void badUsageIsRefusedBeforeAnythingIsSent() throws Exception {
    net = new TestNetwork(dir, 4);
    net.restart(0);
    Path key = keyFile("n0.key", 101);
    String k = key.toString();
    assertThat(run("tx", "send", "--node", url(0), "--key", k, "--data", "x", "--file", k)).isEqualTo(2);
    assertThat(std.err()).contains("--data").contains("--file");
    assertThat(run("tx", "send", "--node", url(0), "--key", k)).isEqualTo(2);
    assertThat(run("tx", "send", "--node", url(0), "--key", k, "--data", "x", "--timeout", "soon")).isEqualTo(2);
    assertThat(std.err()).contains("--timeout").contains("30s");
    assertThat(run("tx", "send", "--node", url(0), "--key", k, "--file", dir.resolve("none").toString()))
        .isEqualTo(2);
    assertThat(std.err()).contains("cannot read --file");
    Path big = Files.write(dir.resolve("big"), new byte[16 * 1024 + 1]);
    assertThat(run("tx", "send", "--node", url(0), "--key", k, "--file", big.toString())).isEqualTo(2);
    assertThat(std.err()).contains("16384 bytes");
    assertThat(run("tx", "send", "--node", "ftp://x", "--key", k, "--data", "x")).isEqualTo(2);
    assertThat(std.err()).contains("--node must look like");
    assertThat(get(url(0) + "/status").getLong("height")).isZero();
  }
}
