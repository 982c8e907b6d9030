package org.kinmesh.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.forward.ConnectAuth;
import org.kinmesh.relay.forward.Handshake;
import org.kinmesh.relay.forward.RelayFrame;
import org.kinmesh.testing.TestKeys;

/**
 * Load generator of bench/relayed-bench.sh: PAIRS senders each pump frames to their own
 * receiver through a forwarder on loopback, with at most WINDOW frames of a pair in flight (sent
 * and not yet received), so the forwarder's queues never overflow and nothing is dropped. After
 * WARMUP seconds it counts delivered frames for DURATION seconds and reads the forwarder
 * process's CPU time from /proc around that window.
 *
 * <pre>
 * config DIR PAIRS INSTANCES           write DIR/relay.json (bench chain, keys, limits out of the way)
 * run MODE PORT PID CLK_TCK PAIRS PAYLOAD WINDOW WARMUP DURATION
 *     MODE: kinmesh (the relay, signed connect) or null (NullForwarder)
 *     prints: RESULT mode= payload= frames= secs= fps= cpu_s= fps_per_core= undeliverable= gen_cpu_s=
 * </pre>
 */
public final class RelayedForwardBench {
  static final String CHAIN = "bench-relayed";
  static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";

  private RelayedForwardBench() {}

  static Identity key(int i) {
    return TestKeys.key(50_000 + i);
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("config")) {
      config(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } else if (args.length == 10 && args[0].equals("run")) {
      run(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]), Integer.parseInt(args[8]),
          Integer.parseInt(args[9]));
    } else {
      System.err.println("usage: config DIR PAIRS INSTANCES | run MODE PORT PID CLK_TCK PAIRS PAYLOAD WINDOW WARMUP DURATION");
      System.exit(2);
    }
  }

  /** A relay config for the bench: loopback, port 0, its keys bootstrapped, every limit far above the load. */
  static void config(Path dir, int pairs, int instances) throws Exception {
    JsonArray keys = new JsonArray();
    for (int i = 0; i < 2 * pairs; i++) {
      keys.add(key(i).publicKeyHex());
    }
    JsonObject conf = new JsonObject()
        .put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("rate_limit_per_min", 10_000_000)
        .put("relayed_frames_per_sec", 10_000_000)
        .put("relayed_bytes_per_sec", 1L << 40)
        .put("relayed_queue_bytes", 64L << 20)
        .put("shutdown_grace_secs", 0)
        .put("http_instances", instances)
        .put("bootstrap", new JsonArray().add(new JsonObject().put("blockchain_id", CHAIN).put("genesis_hash", GENESIS)
            .put("admin_pubkey", TestKeys.key(49_999).publicKeyHex()).put("authorized_pubkeys", keys)));
    Files.writeString(dir.resolve("relay.json"), conf.encodePrettily());
  }

  /** One pair: a sender pumping to its receiver under a window. */
  static final class Pair {
    final Buffer frame;
    final int window;
    final AtomicLong received = new AtomicLong();
    final AtomicBoolean pumpScheduled = new AtomicBoolean();
    volatile boolean running;
    long sent;
    Client sender;

    Pair(Buffer frame, int window) {
      this.frame = frame;
      this.window = window;
    }

    /** On the sender's context: fill the window. */
    void pump() {
      pumpScheduled.set(false);
      while (running && sent - received.get() < window) {
        sender.ws.writeBinaryMessage(frame.copy());
        sent++;
      }
    }

    /** From the receiver's context: one frame arrived (or was refused); wake the sender if it is not already. */
    void credit() {
      received.incrementAndGet();
      if (running && pumpScheduled.compareAndSet(false, true)) {
        sender.context.runOnContext(v -> pump());
      }
    }
  }

  static final class Client {
    final ClientWebSocket ws;
    final Context context;
    final Promise<Void> ready = Promise.promise();

    Client(Vertx vertx, WebSocketClient wsClient, String mode, Identity id, int port, Pair pair, boolean receiver,
        LongAdder delivered, LongAdder undeliverable) {
      context = vertx.getOrCreateContext();
      ws = wsClient.webSocket();
      ws.textMessageHandler(text -> {
        try {
          if (mode.equals("null")) {
            ready.tryComplete();
          } else if (text.contains("\"challenge\"")) {
            ws.writeTextMessage(ConnectAuth.sign(id, CHAIN, System.currentTimeMillis() / 1000,
                Handshake.parseChallenge(text)).toJson().encode());
          } else {
            Handshake.parseReady(text);
            ready.tryComplete();
          }
        } catch (Exception e) {
          ready.tryFail(e);
        }
      });
      ws.binaryMessageHandler(b -> {
        if (b.getByte(0) == RelayFrame.DELIVER && receiver) {
          delivered.increment();
          pair.credit();
        } else {
          undeliverable.increment();
          pair.credit();
        }
      });
      ws.closeHandler(v -> ready.tryFail("closed: " + ws.closeStatusCode() + " " + ws.closeReason()));
      String uri = mode.equals("null") ? "/" : RelayFrame.PATH;
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)).onSuccess(w -> {
        if (mode.equals("null")) {
          ws.writeTextMessage(id.publicKeyHex());
        }
      }).onFailure(ready::tryFail);
    }
  }

  static void run(String mode, int port, long pid, long clkTck, int pairs, int payload, int window, int warmup,
      int duration) throws Exception {
    Vertx vertx = Vertx.vertx();
    WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(RelayFrame.HARD_CAP_BYTES).setMaxMessageSize(RelayFrame.HARD_CAP_BYTES));
    LongAdder delivered = new LongAdder();
    LongAdder undeliverable = new LongAdder();
    List<Pair> all = new ArrayList<>();
    List<Future<Void>> ready = new ArrayList<>();
    byte[] body = new byte[payload];
    for (int i = 0; i < pairs; i++) {
      Identity s = key(2 * i);
      Identity r = key(2 * i + 1);
      Pair p = new Pair(RelayFrame.send(Hex.decode(r.publicKeyHex()), body), window);
      Client receiver = new Client(vertx, wsClient, mode, r, port, p, true, delivered, undeliverable);
      p.sender = new Client(vertx, wsClient, mode, s, port, p, false, delivered, undeliverable);
      ready.add(receiver.ready.future());
      ready.add(p.sender.ready.future());
      all.add(p);
    }
    Future.all(ready).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (Pair p : all) {
      p.running = true;
      p.sender.context.runOnContext(v -> p.pump());
    }
    Thread.sleep(warmup * 1000L);
    long d0 = delivered.sum();
    long cpu0 = cpuTicks(pid);
    long self0 = cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    Thread.sleep(duration * 1000L);
    long d1 = delivered.sum();
    long cpu1 = cpuTicks(pid);
    long self1 = cpuTicks(ProcessHandle.current().pid());
    long t1 = System.nanoTime();
    for (Pair p : all) {
      p.running = false;
    }
    double secs = (t1 - t0) / 1e9;
    double cpu = (cpu1 - cpu0) / (double) clkTck;
    long frames = d1 - d0;
    System.out.printf("RESULT mode=%s payload=%d pairs=%d window=%d frames=%d secs=%.3f fps=%.0f cpu_s=%.2f "
            + "fps_per_core=%.0f undeliverable=%d gen_cpu_s=%.2f%n", mode, payload, pairs, window, frames, secs,
        frames / secs, cpu, cpu > 0 ? frames / cpu : 0, undeliverable.sum(), (self1 - self0) / (double) clkTck);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
