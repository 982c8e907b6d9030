package org.kinmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayStore;
import org.kinmesh.store.Database;

/**
 * Relay benchmark diagnostic (not a test, not run by the harness): how many /register
 * database writes a second the relay's store can do, without HTTP or crypto.
 * <ol>
 *   <li>store: {@link RelayStore#register} as the relay calls it (group commits on the writer's worker
 *       context, one plain-JDBC transaction per batch on the database's one connection), CONCURRENCY in flight;</li>
 *   <li>jdbc: the same three statements and commit on one plain sqlite-jdbc connection with the
 *       same pragmas, in a loop on one thread: what SQLite itself allows.</li>
 * </ol>
 * Usage: {@code RegisterStoreRate DIR [seconds] [concurrency]}. Prints
 * {@code STORE store_tx_per_sec=... jdbc_tx_per_sec=...}.
 */
public final class RegisterStoreRate {
  private static final String CHAIN = "bench-chain";
  private static final int KEYS = 20_000;

  private RegisterStoreRate() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    Files.createDirectories(dir);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(Hex.encode(Ed25519.sha256(("store-key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    String sig = "ab".repeat(64);
    double store = storeRate(dir.resolve("store.db"), keys, sig, seconds, concurrency);
    double jdbc = jdbcRate(dir.resolve("jdbc.db"), keys, sig, seconds);
    System.out.println(String.format(Locale.ROOT, "STORE store_tx_per_sec=%.0f jdbc_tx_per_sec=%.0f concurrency=%d",
        store, jdbc, concurrency));
  }

  private static double storeRate(Path file, List<String> keys, String sig, double seconds, int concurrency)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.open(vertx, file, RelayStore.MIGRATIONS).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      RelayStore store = new RelayStore(db, workerContext(vertx));
      long now = System.currentTimeMillis() / 1000;
      store.bootstrap(new RelayConfig.BootstrapEntry(CHAIN, "00".repeat(32), "11".repeat(32), keys), now)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      // Warm-up, then measure; each in-flight chain takes the next (key, round) pair.
      runStore(vertx, store, keys, sig, 2.0, concurrency, new AtomicLong(), now);
      AtomicLong seq = new AtomicLong((long) keys.size() * 1000);
      long t0 = System.nanoTime();
      long done = runStore(vertx, store, keys, sig, seconds, concurrency, seq, now);
      double rate = done / ((System.nanoTime() - t0) / 1e9);
      db.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return rate;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** A worker context for the store's writer, as the relay gives it one (RelayVerticle). */
  private static io.vertx.core.Context workerContext(Vertx vertx) throws Exception {
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.Context> ctx = new java.util.concurrent.atomic.AtomicReference<>();
    vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        ctx.set(context);
        return Future.succeededFuture();
      }
    }, new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return ctx.get();
  }

  private static long runStore(Vertx vertx, RelayStore store, List<String> keys, String sig, double seconds,
      int concurrency, AtomicLong seq, long now) throws Exception {
    long until = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong ok = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Promise<Void> p = Promise.promise();
      vertx.runOnContext(v -> next(store, keys, sig, until, seq, ok, now, p));
      loops.add(p.future());
    }
    Future.all(loops).toCompletionStage().toCompletableFuture().get((long) seconds + 60, TimeUnit.SECONDS);
    return ok.get();
  }

  private static void next(RelayStore store, List<String> keys, String sig, long until, AtomicLong seq, AtomicLong ok,
      long now, Promise<Void> done) {
    if (System.nanoTime() >= until) {
      done.complete();
      return;
    }
    long n = seq.getAndIncrement();
    String key = keys.get((int) (n % keys.size()));
    long ts = now - 100_000 + n / keys.size(); // strictly increasing per key
    store.register(CHAIN, key, "192.0.2.1", 7000, ts, sig, now, () -> true).onComplete(ar -> {
      if (ar.succeeded()) {
        ok.incrementAndGet();
      } else {
        done.fail(ar.cause());
        return;
      }
      next(store, keys, sig, until, seq, ok, now, done);
    });
  }

  private static double jdbcRate(Path file, List<String> keys, String sig, double seconds) throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("journal_mode", "WAL");
    props.setProperty("synchronous", "NORMAL");
    props.setProperty("busy_timeout", "5000");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props)) {
      try (Statement s = c.createStatement()) {
        for (var m : RelayStore.MIGRATIONS) {
          for (String sql : m.statements()) {
            s.execute(sql);
          }
        }
      }
      long now = System.currentTimeMillis() / 1000;
      c.setAutoCommit(false);
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO authorized_nodes (blockchain_id, pubkey, added_at) VALUES (?, ?, ?)")) {
        for (String k : keys) {
          ins.setString(1, CHAIN);
          ins.setString(2, k);
          ins.setLong(3, now);
          ins.addBatch();
        }
        ins.executeBatch();
      }
      c.commit();
      try (PreparedStatement auth = c.prepareStatement(
              "SELECT 1 FROM authorized_nodes WHERE blockchain_id = ? AND pubkey = ?");
          PreparedStatement wm = c.prepareStatement("INSERT INTO replay_watermarks (kind, blockchain_id, pubkey, last_ts) "
              + "VALUES (?, ?, ?, ?) ON CONFLICT (kind, blockchain_id, pubkey) DO UPDATE SET last_ts = excluded.last_ts "
              + "WHERE replay_watermarks.last_ts < excluded.last_ts");
          PreparedStatement node = c.prepareStatement("INSERT INTO relay_nodes (blockchain_id, pubkey, ip, port, "
              + "last_seen, sig) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (blockchain_id, pubkey) DO UPDATE SET "
              + "ip = excluded.ip, port = excluded.port, last_seen = excluded.last_seen, sig = excluded.sig")) {
        long n = 0;
        long t0 = System.nanoTime();
        long until = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < until) {
          String key = keys.get((int) (n % keys.size()));
          long ts = now - 100_000 + n / keys.size();
          auth.setString(1, CHAIN);
          auth.setString(2, key);
          try (var rs = auth.executeQuery()) {
            if (!rs.next()) {
              throw new IllegalStateException("not authorized");
            }
          }
          wm.setString(1, "REGISTER");
          wm.setString(2, CHAIN);
          wm.setString(3, key);
          wm.setLong(4, ts);
          if (wm.executeUpdate() != 1) {
            throw new IllegalStateException("replayed");
          }
          node.setString(1, CHAIN);
          node.setString(2, key);
          node.setString(3, "192.0.2.1");
          node.setInt(4, 7000);
          node.setLong(5, now);
          node.setString(6, sig);
          node.executeUpdate();
          c.commit();
          n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
      }
    }
  }
}
