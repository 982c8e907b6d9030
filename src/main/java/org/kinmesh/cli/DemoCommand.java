package org.kinmesh.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.wire.relay.LookupSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on one machine: keys and a genesis in a temporary directory, a relay and four
 * node processes on loopback, registration, 2f + 1 connectivity, DATA transactions, and blocks
 * committing on all four. Ctrl-C stops every process it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a relay and four nodes on this machine and watch them reach consensus.")
final class DemoCommand implements Callable<Integer> {
  private static final int NODES = 4;
  private static final String CHAIN = "kinmesh_demo";

  @Option(names = "--until-height", description = "stop once every node has committed this height; "
      + "the last line is a JSON summary, exit 0 only if all four hold the same block there")
  Long untilHeight;

  @Option(names = "--transactions", defaultValue = "5", description = "DATA transactions to submit (default: 5)")
  int transactions;

  @Option(names = "--dir", description = "work directory (default: a new temporary one)")
  Path dir;

  @Option(names = "--timeout-secs", defaultValue = "180", description = "give up after this long (default: 180)")
  long timeoutSecs;

  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();

  @Override
  public Integer call() throws Exception {
    if (untilHeight != null && untilHeight < 1) {
      throw new Cli.UsageException("--until-height must be at least 1");
    }
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("kinmesh-demo-");
    Thread cleanup = new Thread(this::stopAll, "kinmesh-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSecs);
    try {
      say("work directory " + work + " (keys, genesis, databases, logs)");
      Identity guardian = Identity.generate();
      List<Identity> keys = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        Identity k = Identity.generate();
        KeyFiles.write(work.resolve("node" + i + ".key"), k);
        keys.add(k);
      }
      KeyFiles.write(work.resolve("guardian.key"), guardian);
      Path genesisFile = writeGenesis(work, guardian, keys);

      Files.writeString(work.resolve("relay.json"), new JsonObject().put("listen_addr", "127.0.0.1:0")
          .put("db_path", work.resolve("relay.db").toString()).put("http_instances", 1)
          .put("bootstrap", new JsonArray().add(genesisFile.toString())).encodePrettily());
      String relayUrl = start(work, "relay", List.of("relay", "-conf", work.resolve("relay.json").toString()),
          "listening on ");
      say("relay up at " + relayUrl);

      List<String> apis = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        Path conf = work.resolve("node" + i + ".json");
        Files.writeString(conf, new JsonObject().put("identity_path", work.resolve("node" + i + ".key").toString())
            .put("genesis_path", genesisFile.toString()).put("data_dir", work.resolve("node" + i).toString())
            .put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0).put("block_interval_ms", 250)
            .put("empty_block_interval_ms", 1000).encodePrettily());
        apis.add(start(work, "node" + i, List.of("node", "-conf", conf.toString(), "--relay-server", relayUrl),
            "api on "));
        say("node" + i + " " + keys.get(i).shortId() + " up, API " + apis.get(i));
      }

      waitForRegistration(relayUrl, keys, deadline);
      say("all four nodes registered with the relay");
      int needed = 2 * Quorums.f(NODES) + 1;
      waitForConnectivity(apis, needed - 1, deadline);
      say("every node reaches " + needed + " of " + NODES + " (2f + 1) nodes");

      for (int t = 0; t < transactions; t++) {
        Transaction tx = Transaction.sign(keys.get(t % NODES), CHAIN, System.currentTimeMillis() * 10 + t,
            System.currentTimeMillis() / 1000,
            new Payload.Data(Hex.encode(("hello from the demo #" + t).getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> r = post(apis.get(t % NODES) + "/transactions", new String(tx.toJsonBytes(),
            StandardCharsets.UTF_8));
        say("submitted DATA #" + t + " to node" + (t % NODES) + ": " + r.statusCode() + " " + r.body());
      }
      return watch(apis, keys, deadline);
    } catch (DemoFailure e) {
      System.err.println("kinmesh demo: " + e.getMessage());
      System.err.println("kinmesh demo: logs are in " + work);
      printLogTails(work);
      return ExitCodes.FAILURE;
    } finally {
      stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running already
      }
    }
  }

  private static final class DemoFailure extends Exception {
    DemoFailure(String message) {
      super(message);
    }
  }

  private static Path writeGenesis(Path work, Identity guardian, List<Identity> keys) throws Exception {
    List<GenesisSpec.ConsensusNode> nodes = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      nodes.add(new GenesisSpec.ConsensusNode(keys.get(i).publicKeyHex(), i + 1));
    }
    Block genesis = Genesis.build(new GenesisSpec(new ChainParams(CHAIN, 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000, List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "Guardian")), nodes));
    Path file = work.resolve("genesis.json");
    Files.write(file, genesis.toJsonBytes());
    return file;
  }

  /** Starts `kinmesh ARGS` from this same jar; returns the URL it prints once ready. */
  private String start(Path work, String name, List<String> args, String marker) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", jar, Main.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve(name + ".log").toFile());
    pb.environment().put(ParentWatch.ENV, "1"); // dies with the demo, even a SIGKILLed one (ParentWatch)
    Process p = pb.start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      int at = line.indexOf(marker);
      if (at >= 0) {
        String url = line.substring(at + marker.length()).trim();
        Thread drain = new Thread(() -> drain(out), name + "-stdout");
        drain.setDaemon(true);
        drain.start();
        return url;
      }
    }
    throw new DemoFailure(name + " exited before it was ready");
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // keep the pipe from filling up
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  private void waitForRegistration(String relayUrl, List<Identity> keys, long deadline) throws Exception {
    Identity asker = keys.get(0);
    for (Identity k : keys) {
      while (true) {
        LookupSignature sig = LookupSignature.sign(asker, CHAIN, k.publicKeyHex(), System.currentTimeMillis() / 1000);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(relayUrl + "/lookup/" + CHAIN + "/"
                + k.publicKeyHex()))
            .header(LookupSignature.HEADER_REQUESTER, sig.requesterKey())
            .header(LookupSignature.HEADER_TIMESTAMP, Long.toString(sig.timestamp()))
            .header(LookupSignature.HEADER_SIGNATURE, sig.signature()).GET().build());
        if (r != null && r.statusCode() == 200) {
          break;
        }
        pause(deadline, "node " + k.shortId() + " never registered with the relay");
      }
    }
  }

  private void waitForConnectivity(List<String> apis, int peersNeeded, long deadline) throws Exception {
    for (int i = 0; i < apis.size(); i++) {
      while (true) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(apis.get(i) + "/peers")).GET().build());
        if (r != null && r.statusCode() == 200 && connected(r.body()) >= peersNeeded) {
          break;
        }
        pause(deadline, "node" + i + " did not connect to " + peersNeeded + " peers");
      }
    }
  }

  private static int connected(String peersBody) {
    Object parsed = peersBody.trim().startsWith("[") ? new JsonArray(peersBody)
        : new JsonObject(peersBody).getJsonArray("peers");
    int n = 0;
    for (Object o : (JsonArray) parsed) {
      if (o instanceof JsonObject p && "connected".equals(p.getString("state"))) {
        n++;
      }
    }
    return n;
  }

  private int watch(List<String> apis, List<Identity> keys, long deadline) throws Exception {
    long[] shown = new long[apis.size()];
    while (true) {
      long lowest = Long.MAX_VALUE;
      for (int i = 0; i < apis.size(); i++) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(apis.get(i) + "/status")).GET().build());
        long h = r != null && r.statusCode() == 200 ? new JsonObject(r.body()).getLong("height", 0L) : shown[i];
        if (h > shown[i]) {
          JsonObject s = new JsonObject(r.body());
          say("node" + i + " committed height " + h + " (" + s.getString("head_hash").substring(0, 16) + "...)"
              + " view " + s.getLong("view", 0L) + ", quorum " + s.getJsonObject("quorum", new JsonObject()).encode());
          shown[i] = h;
        }
        lowest = Math.min(lowest, shown[i]);
      }
      if (untilHeight != null && lowest >= untilHeight) {
        return summary(apis, keys);
      }
      if (untilHeight != null) {
        pause(deadline, "not every node reached height " + untilHeight);
      } else {
        Thread.sleep(500); // watching until Ctrl-C
      }
    }
  }

  private int summary(List<String> apis, List<Identity> keys) throws Exception {
    JsonArray nodes = new JsonArray();
    String first = null;
    boolean same = true;
    for (int i = 0; i < apis.size(); i++) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(apis.get(i) + "/blocks/" + untilHeight)).GET()
          .build());
      String hash = r != null && r.statusCode() == 200 ? new JsonObject(r.body()).getString("hash") : null;
      HttpResponse<String> s = send(HttpRequest.newBuilder(URI.create(apis.get(i) + "/status")).GET().build());
      long height = s != null && s.statusCode() == 200 ? new JsonObject(s.body()).getLong("height", 0L) : -1;
      nodes.add(new JsonObject().put("pubkey", keys.get(i).publicKeyHex()).put("height", height)
          .put("hash_at_height", hash));
      if (first == null) {
        first = hash;
      }
      same &= hash != null && hash.equals(first);
    }
    say(same ? "all four nodes hold the same block at height " + untilHeight : "NODES DISAGREE at height " + untilHeight);
    System.out.println(new JsonObject().put("height", untilHeight).put("nodes", nodes).encode());
    return same ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private static void pause(long deadline, String failure) throws Exception {
    if (System.nanoTime() > deadline) {
      throw new DemoFailure(failure + " in time");
    }
    Thread.sleep(250); // polling a live system that another process drives
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private HttpResponse<String> post(String url, String body) throws DemoFailure {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    if (r == null) {
      throw new DemoFailure("cannot reach " + url);
    }
    return r;
  }

  private static void say(String line) {
    System.out.println("demo: " + line);
    System.out.flush();
  }

  /** SIGTERM to everything we started (graceful: the relay and nodes close their databases), then wait. */
  private synchronized void stopAll() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private static void printLogTails(Path work) {
    try (var files = Files.list(work)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        System.err.println("---- " + log.getFileName() + " (last 15 lines)");
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.err::println);
      }
    } catch (IOException e) {
      System.err.println("kinmesh demo: cannot read logs: " + e.getMessage());
    }
  }
}
