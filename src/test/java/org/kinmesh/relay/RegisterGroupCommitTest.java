package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.store.Database;
import org.kinmesh.testing.Await;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/**
 * The register group commit on a real SQLite file: what a batch decides, that an answer means
 * committed, that a row the database refuses costs only its own request, and that the pool's
 * writes (admin operations, the sweep) never interleave with a batch.
 */
class RegisterGroupCommitTest {
  static final String CHAIN = "fam";
  static final String ADMIN = "ad".repeat(32);
  static final long NOW = 1_767_225_600L;

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  Database db;
  Context writer;
  RelayStore store;
  final List<String> keys = new ArrayList<>();

  @BeforeEach
  void open() {
    for (int i = 0; i < 64; i++) {
      keys.add(String.format("%064x", 0xabc000 + i));
    }
    db = Await.result(Database.open(vertx, dir.resolve("relay.db"), RelayStore.MIGRATIONS));
    writer = workerContext();
    store = new RelayStore(db, writer);
    Await.result(store.bootstrap(new RelayConfig.BootstrapEntry(CHAIN, "00".repeat(32), ADMIN, keys), NOW));
  }

  @AfterEach
  void close() {
    Await.result(store.quiesce().compose(v -> db.close()));
    Await.result(vertx.close());
  }

  Context workerContext() {
    AtomicReference<Context> ctx = new AtomicReference<>();
    Await.result(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        ctx.set(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
    return ctx.get();
  }

  /**
   * Submits the registrations from one task on the writer's own context, so they are all queued
   * before its next batch starts: they land in one group commit.
   */
  List<Future<Void>> oneBatch(List<Supplier<Future<Void>>> requests) {
    Promise<List<Future<Void>>> submitted = Promise.promise();
    writer.runOnContext(v -> {
      List<Future<Void>> fs = new ArrayList<>();
      requests.forEach(r -> fs.add(r.get()));
      submitted.complete(fs);
    });
    List<Future<Void>> fs = Await.result(submitted.future());
    Await.result(Future.join(fs).otherwiseEmpty());
    return fs;
  }

  Supplier<Future<Void>> register(String key, String ip, long ts) {
    return () -> store.register(CHAIN, key, ip, 40000, ts, "5e".repeat(64), NOW, () -> true);
  }

  /** A plain JDBC connection of its own: sees only what is committed. */
  Connection otherConnection() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + db.file().toAbsolutePath());
  }

  static Long watermark(Connection c, String key) throws Exception {
    try (PreparedStatement s = c.prepareStatement("SELECT last_ts FROM replay_watermarks "
        + "WHERE kind = 'REGISTER' AND blockchain_id = ? AND pubkey = ?")) {
      s.setString(1, CHAIN);
      s.setString(2, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  static String liveIp(Connection c, String key) throws Exception {
    try (PreparedStatement s = c.prepareStatement("SELECT ip FROM relay_nodes WHERE blockchain_id = ? AND pubkey = ?")) {
      s.setString(1, CHAIN);
      s.setString(2, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static ErrorCode code(Future<?> f) {
    assertThat(f.failed()).as("expected a failure").isTrue();
    assertThat(f.cause()).isInstanceOf(WireException.class);
    return ((WireException) f.cause()).code();
  }

  @Test
  void anAnsweredRegistrationIsAlreadyCommitted() throws Exception {
    List<Future<Void>> fs = oneBatch(List.of(register(keys.get(0), "203.0.113.1", NOW), register(keys.get(1),
        "203.0.113.2", NOW)));
    assertThat(fs).allMatch(Future::succeeded);
    try (Connection other = otherConnection()) {
      assertThat(watermark(other, keys.get(0))).isEqualTo(NOW);
      assertThat(liveIp(other, keys.get(1))).isEqualTo("203.0.113.2");
    }
  }

  @Test
  void requestsOfOneKeyInABatchAreDecidedInArrivalOrder() throws Exception {
    String k = keys.get(0);
    List<Future<Void>> fs = oneBatch(List.of(register(k, "203.0.113.1", NOW), register(k, "203.0.113.2", NOW),
        register(k, "203.0.113.3", NOW - 1), register(k, "203.0.113.4", NOW + 1),
        () -> store.register(CHAIN, "ee".repeat(32), "203.0.113.5", 1, NOW, "5e".repeat(64), NOW, () -> false)));
    assertThat(fs.get(0).succeeded()).isTrue();
    assertThat(code(fs.get(1))).isEqualTo(ErrorCode.REPLAYED);
    assertThat(code(fs.get(2))).isEqualTo(ErrorCode.REPLAYED);
    assertThat(fs.get(3).succeeded()).isTrue();
    assertThat(code(fs.get(4))).isEqualTo(ErrorCode.UNAUTHORIZED);
    try (Connection other = otherConnection()) {
      assertThat(watermark(other, k)).isEqualTo(NOW + 1);
      assertThat(liveIp(other, k)).isEqualTo("203.0.113.4");
      assertThat(watermark(other, "ee".repeat(32))).isNull();
    }
    // a later batch still sees the watermark
    assertThat(code(oneBatch(List.of(register(k, "203.0.113.6", NOW + 1))).get(0))).isEqualTo(ErrorCode.REPLAYED);
  }

  @Test
  void aRowTheDatabaseRefusesFailsOnlyItsOwnRequest() throws Exception {
    // stands in for any row-level failure (a constraint, a trigger, a corrupt index page)
    Await.result(db.pool().withTransaction(c -> c.query("CREATE TRIGGER refuse_bad_ip BEFORE INSERT ON relay_nodes "
        + "WHEN NEW.ip = '192.0.2.66' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END").execute()));
    List<Supplier<Future<Void>>> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(register(keys.get(i), i == 4 ? "192.0.2.66" : "203.0.113." + (i + 1), NOW));
    }
    List<Future<Void>> fs = oneBatch(requests);
    for (int i = 0; i < 10; i++) {
      if (i == 4) {
        assertThat(fs.get(i).failed()).isTrue();
        assertThat(fs.get(i).cause()).hasMessageContaining("refused by test trigger");
      } else {
        assertThat(fs.get(i).succeeded()).as("request %d: %s", i, fs.get(i).cause()).isTrue();
      }
    }
    try (Connection other = otherConnection()) {
      for (int i = 0; i < 10; i++) {
        assertThat(watermark(other, keys.get(i))).as("watermark %d", i).isEqualTo(i == 4 ? null : NOW);
        assertThat(liveIp(other, keys.get(i))).as("entry %d", i).isEqualTo(i == 4 ? null : "203.0.113." + (i + 1));
      }
    }
    // the writer goes on: the refused key registers once its row is acceptable
    Future<Void> again = oneBatch(List.of(register(keys.get(4), "203.0.113.5", NOW))).get(0);
    assertThat(again.succeeded()).as("%s", again.cause()).isTrue();
  }

  @Test
  void removalsThroughThePoolNeverInterleaveWithABatch() throws Exception {
    // Each key registers twice while the admin removes it through the pool. Whatever the order,
    // once a removal has committed no registration of that key may be written after it.
    List<Future<Void>> all = new ArrayList<>();
    Promise<Void> submitted = Promise.promise();
    vertx.runOnContext(v -> {
      for (int i = 0; i < keys.size(); i++) {
        String k = keys.get(i);
        all.add(store.register(CHAIN, k, "203.0.113.1", 40000, NOW, "5e".repeat(64), NOW, () -> false));
        all.add(store.authorizeNode(CHAIN, k, false, ADMIN, NOW + i, NOW));
        all.add(store.register(CHAIN, k, "203.0.113.2", 40000, NOW + 1, "5e".repeat(64), NOW, () -> false));
        all.add(db.ping().mapEmpty());
      }
      submitted.complete();
    });
    Await.result(submitted.future());
    Await.result(Future.join(all).otherwiseEmpty());
    for (int i = 0; i < all.size(); i++) {
      Future<Void> f = all.get(i);
      if (i % 4 == 1 || i % 4 == 3) {
        assertThat(f.succeeded()).as("removal or ping %d: %s", i, f.cause()).isTrue();
      } else if (f.failed()) {
        assertThat(code(f)).isEqualTo(ErrorCode.UNAUTHORIZED);
      }
    }
    try (Connection other = otherConnection(); Statement s = other.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM relay_nodes")) {
        rs.next();
        assertThat(rs.getInt(1)).as("entries of removed keys").isZero();
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM authorized_nodes")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void aSteadyStreamOfRegistrationsDoesNotLockOutOtherDatabaseUsers() {
    // 16 clients registering back to back keep the writer busy for good, and this writer only
    // lets the connection go when a session is over (its idle wait is longer than the test):
    // pings and admin writes must still get their turn between sessions
    Await.result(store.quiesce());
    store = new RelayStore(db, new RegisterWriter(db, writer, 3_600_000, RegisterWriter.SESSION_MS));
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    List<Promise<Void>> streams = new ArrayList<>();
    for (int c = 0; c < 16; c++) {
      Promise<Void> done = Promise.promise();
      streams.add(done);
      String key = keys.get(c);
      vertx.runOnContext(v -> stream(key, NOW, stop, written, done));
    }
    for (int i = 0; i < 10; i++) {
      long before = written.get();
      assertThat(Await.result(db.ping())).isTrue();
      Await.result(store.authorizeNode(CHAIN, keys.get(40 + i), false, ADMIN, NOW + i, NOW));
      Await.result(store.evictOlderThan(0));
      assertThat(written.get()).as("registrations kept flowing").isGreaterThanOrEqualTo(before);
    }
    stop.set(true);
    streams.forEach(p -> Await.result(p.future()));
    assertThat(written.get()).isPositive();
  }

  /** Registers key again and again, each time with the next timestamp, until told to stop. */
  void stream(String key, long ts, java.util.concurrent.atomic.AtomicBoolean stop,
      java.util.concurrent.atomic.AtomicLong written, Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    store.register(CHAIN, key, "203.0.113.1", 40000, ts, "5e".repeat(64), NOW, () -> true).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      written.incrementAndGet();
      stream(key, ts + 1, stop, written, done);
    });
  }

  @Test
  void aClosedDatabaseFailsEveryRequestOfTheBatch() {
    Await.result(db.close());
    List<Future<Void>> fs = oneBatch(List.of(register(keys.get(0), "203.0.113.1", NOW),
        register(keys.get(1), "203.0.113.2", NOW)));
    assertThat(fs).allMatch(Future::failed);
    db = Await.result(Database.open(vertx, dir.resolve("relay.db"), RelayStore.MIGRATIONS));
  }
}
