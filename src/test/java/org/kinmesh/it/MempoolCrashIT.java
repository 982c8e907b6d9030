package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;

/**
 * The crash campaign of issue 13 on real processes: a relay and four node processes from the fat
 * jar; a client signs DATA transactions with consecutive nonces per sender and submits them at about
 * 50 a second, round-robin over the live nodes (a failed submission is sent again, unchanged, to
 * the next node); meanwhile a node is killed with SIGKILL and restarted, one at a time so a quorum
 * stays up, six times (the primary among them). Every transaction a node answered 202 must end up
 * committed on all four nodes.
 *
 * <p>System properties: {@code campaign.txs} (default 1,000 accepted), {@code campaign.rate}
 * (default 50 a second), {@code campaign.kills} (default 6).
 */
class MempoolCrashIT {
  private static final String CHAIN = "crash_campaign";
  private static final int NODES = 4;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  private final String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
  private final List<Process> nodes = new ArrayList<>();
  private final List<Process> others = new ArrayList<>();
  private String relayUrl;

  @AfterEach
  void stopAll() throws InterruptedException {
    List<Process> all = new ArrayList<>(nodes);
    all.addAll(others);
    for (Process p : all) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : all) {
      if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void noAcceptedTransactionIsLostWhileNodesAreKilled() throws Exception {
    int target = Integer.getInteger("campaign.txs", 1_000);
    int rate = Integer.getInteger("campaign.rate", 50);
    int kills = Integer.getInteger("campaign.kills", 6);

    Identity guardian = Identity.generate();
    List<Identity> keys = new ArrayList<>();
    StringBuilder consensus = new StringBuilder();
    for (int i = 0; i < NODES; i++) {
      Identity k = Identity.generate();
      keys.add(k);
      KeyFiles.write(dir.resolve("node" + i + ".key"), k);
      consensus.append(i == 0 ? "" : ",").append("{\"pubkey\":\"").append(k.publicKeyHex())
          .append("\",\"node_id\":").append(i + 1).append('}');
    }
    Files.writeString(dir.resolve("spec.json"), "{\"blockchain_id\":\"" + CHAIN + "\",\"deauth_threshold\":1,"
        + "\"guardians\":[{\"pubkey\":\"" + guardian.publicKeyHex() + "\",\"display_name\":\"Guardian\"}],"
        + "\"consensus_nodes\":[" + consensus + "]}");
    Process gen = new ProcessBuilder("java", "-jar", jar, "genesis", "--spec", dir.resolve("spec.json").toString(),
        "--out", dir.resolve("genesis.json").toString()).redirectErrorStream(true).start();
    String genOut = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(gen.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(gen.exitValue()).as(genOut).isZero();

    startRelay();
    for (int i = 0; i < NODES; i++) {
      nodes.add(null);
      startNode(i);
    }
    for (int i = 0; i < NODES; i++) {
      int n = i;
      poll(120, "node" + n + " reaches height 1", () -> height(n) >= 1);
    }

    // Two senders with consecutive nonces: the guardian (a family member) and node 0's key.
    List<Identity> senders = List.of(guardian, keys.get(0));
    long[] nonces = new long[senders.size()];
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger submitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicBoolean killsDone = new AtomicBoolean();
    Thread client = new Thread(() -> {
      long start = System.nanoTime();
      int rr = 0;
      for (int t = 0; accepted.size() < target || !killsDone.get(); t++) {
        if (t > 3 * target) {
          return; // the kills take long: enough was sent
        }
        long due = start + t * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait); // the client's send rate, not a synchronisation
          } catch (InterruptedException e) {
            return;
          }
        }
        int s = t % senders.size();
        Transaction tx = Transaction.sign(senders.get(s), CHAIN, ++nonces[s], System.currentTimeMillis() / 1000,
            Payload.Data.of(("tx " + t).getBytes(StandardCharsets.UTF_8)));
        submitted.incrementAndGet();
        // Sent unchanged to the next node until one answers: a client that saw no answer retries.
        boolean done = false;
        for (int attempt = 0; attempt < 2 * NODES && !done; attempt++) {
          int to = rr++ % NODES;
          int code = post(to, tx);
          if (code == 202) {
            accepted.add(tx.hash());
            done = true;
          } else if (code >= 400 && code < 500) {
            refused.incrementAndGet(); // e.g. "already pending" after a 202 that was lost with its node
            done = true;
          }
        }
      }
    }, "campaign-client");
    client.start();

    int killed = 0;
    for (int k = 0; k < kills; k++) {
      // All four up and in step, and the chain moving, before the next kill: one down at a time.
      long before = maxHeight();
      poll(120, "all nodes in step before kill " + k, () -> inStep(before + 1));
      int victim = k % 2 == 0 ? primaryIndex(keys) : (k * 3) % NODES;
      if (victim < 0) {
        victim = k % NODES;
      }
      Thread.sleep(1_500); // let transactions flow between kills: the campaign's shape
      nodes.get(victim).destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      killed++;
      Thread.sleep(1_500); // down for a while, as a crashed machine is
      startNode(victim);
      int v = victim;
      poll(120, "node" + v + " back after kill " + k, () -> height(v) >= 0);
    }
    killsDone.set(true);
    client.join(TimeUnit.MINUTES.toMillis(10));
    assertThat(client.isAlive()).as("client finished").isFalse();

    // Every accepted hash committed on every node; wait while commits still make progress.
    List<Set<String>> committed = new ArrayList<>();
    long[] scanned = new long[NODES];
    for (int i = 0; i < NODES; i++) {
      committed.add(new HashSet<>());
    }
    long lastProgress = System.nanoTime();
    int bestMissing = Integer.MAX_VALUE;
    int missing;
    while (true) {
      missing = 0;
      for (int i = 0; i < NODES; i++) {
        scanned[i] = scan(i, scanned[i], committed.get(i));
        for (String h : accepted) {
          if (!committed.get(i).contains(h)) {
            missing++;
          }
        }
      }
      if (missing == 0) {
        break;
      }
      if (missing < bestMissing) {
        bestMissing = missing;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(60)) {
        break;
      }
      Thread.sleep(500); // polling processes the test does not drive
    }
    Set<String> lost = new LinkedHashSet<>(accepted);
    lost.removeAll(committed.get(0));
    String summary = "campaign: submitted=" + submitted.get() + " accepted=" + accepted.size() + " refused="
        + refused.get() + " kills=" + killed + " lost_on_node0=" + lost.size() + " missing_node_copies=" + missing
        + " heights=" + java.util.Arrays.toString(scanned);
    System.out.println(summary);
    keepLogs();
    Files.writeString(dir.getParent().resolve("mempool-campaign-result.txt"), summary + "\n");
    assertThat(accepted.size()).as(summary).isGreaterThanOrEqualTo(target);
    assertThat(killed).isGreaterThanOrEqualTo(kills);
    assertThat(lost).as(summary).isEmpty();
    assertThat(missing).as(summary).isZero();
  }

  /** Node logs go to target/mempool-campaign/ for a look after the run. */
  private void keepLogs() throws IOException {
    Path out = Path.of("target", "mempool-campaign");
    Files.createDirectories(out);
    for (int i = 0; i < NODES; i++) {
      Path log = dir.resolve("node" + i + ".log");
      if (Files.exists(log)) {
        Files.copy(log, out.resolve("node" + i + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private void startRelay() throws Exception {
    Files.writeString(dir.resolve("relay.json"), new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("bootstrap", new JsonArray().add(dir.resolve("genesis.json").toString())).put("http_instances", 1)
        .encode());
    Process relay = new ProcessBuilder("java", "-jar", jar, "relay", "-conf", dir.resolve("relay.json").toString())
        .redirectOutput(dir.resolve("relay.out").toFile()).redirectError(dir.resolve("relay.log").toFile()).start();
    others.add(relay);
    poll(60, "relay start", () -> read(dir.resolve("relay.out")).contains("listening on"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("http://[0-9.:]+").matcher(read(dir.resolve("relay.out")));
    assertThat(m.find()).isTrue();
    relayUrl = m.group();
  }

  private void startNode(int i) throws Exception {
    Path conf = dir.resolve("node" + i + ".json");
    Files.writeString(conf, new JsonObject().put("identity_path", dir.resolve("node" + i + ".key").toString())
        .put("genesis_path", dir.resolve("genesis.json").toString())
        .put("data_dir", dir.resolve("node" + i).toString()).put("api_listen", "127.0.0.1:0")
        .put("listen_host", "127.0.0.1").put("gossip_udp_port", 0).put("block_interval_ms", 200)
        .put("empty_block_interval_ms", 800)
        // A restarted node comes back on new ports: peers retry it soon, and a lone view change ends soon.
        .put("intervals", new JsonObject().put("peer_retry_max_secs", 2).put("view_change_timeout_ms", 2_000))
        .encode());
    Files.deleteIfExists(dir.resolve("node" + i).resolve("api.port"));
    Process p = new ProcessBuilder("java", "-jar", jar, "node", "-conf", conf.toString(), "--relay-server", relayUrl)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node" + i + ".out").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("node" + i + ".log").toFile())).start();
    nodes.set(i, p);
    poll(120, "node" + i + " API", () -> Files.exists(dir.resolve("node" + i).resolve("api.port")));
  }

  private String api(int i) {
    String port = read(dir.resolve("node" + i).resolve("api.port")).trim();
    return "http://127.0.0.1:" + port;
  }

  private long maxHeight() {
    long max = -1;
    for (int i = 0; i < NODES; i++) {
      max = Math.max(max, height(i));
    }
    return max;
  }

  /** Every node answers, all within one block of each other, at {@code atLeast} or above. */
  private boolean inStep(long atLeast) {
    long min = Long.MAX_VALUE;
    long max = -1;
    for (int i = 0; i < NODES; i++) {
      long h = nodes.get(i).isAlive() ? height(i) : -1;
      min = Math.min(min, h);
      max = Math.max(max, h);
    }
    return min >= atLeast && max - min <= 1;
  }

  private int primaryIndex(List<Identity> keys) {
    for (int i = 0; i < NODES; i++) {
      JsonObject s = get(i, "/status");
      if (s != null && s.getString("primary") != null) {
        for (int j = 0; j < NODES; j++) {
          if (keys.get(j).publicKeyHex().equals(s.getString("primary"))) {
            return j;
          }
        }
      }
    }
    return -1;
  }

  private long height(int i) {
    JsonObject s = get(i, "/status");
    return s == null ? -1 : s.getLong("height", -1L);
  }

  /** Reads blocks after {@code from} up to node i's height into {@code hashes}; the new scanned height. */
  private long scan(int i, long from, Set<String> hashes) {
    long h = from;
    long top = height(i);
    while (h < top) {
      JsonObject b = get(i, "/blocks/" + (h + 1));
      if (b == null) {
        break;
      }
      for (Object tx : b.getJsonArray("transactions")) {
        hashes.add(((JsonObject) tx).getString("hash"));
      }
      h++;
    }
    return h;
  }

  private JsonObject get(int i, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api(i) + path))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The HTTP status of submitting {@code tx} to node i; 0 when the node did not answer. */
  private int post(int i, Transaction tx) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api(i) + "/transactions"))
          .timeout(Duration.ofSeconds(3)).POST(HttpRequest.BodyPublishers.ofByteArray(tx.toJsonBytes()))
          .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (IOException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Polls processes this test does not drive, with a bound. */
  private void poll(int secs, String what, BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        StringBuilder logs = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
          String log = read(dir.resolve("node" + i + ".log"));
          logs.append("---- node").append(i).append(".log\n")
              .append(log.substring(Math.max(0, log.length() - 3_000)));
        }
        try {
          keepLogs();
        } catch (IOException e) {
          // the assertion below says what failed
        }
        throw new AssertionError("timed out: " + what + "\n" + logs);
      }
      Thread.sleep(200);
    }
  }
}
