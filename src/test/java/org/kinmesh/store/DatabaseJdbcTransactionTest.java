package org.kinmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;

/** {@link Database#withJdbcTransaction}: plain JDBC on the pool's one connection. */
class DatabaseJdbcTransactionTest {
  static final List<Migration> SCHEMA = List.of(new Migration(1, "t", List.of(
      "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)", "INSERT INTO t (k, v) VALUES ('n', 0)")));

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  Database db;

  @BeforeEach
  void open() {
    db = Await.result(Database.open(vertx, dir.resolve("x.db"), SCHEMA));
  }

  @AfterEach
  void close() {
    Await.result(db.close());
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

  static int counter(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM t WHERE k = 'n'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Read, then write what was read plus one: loses updates if anything else writes in between. */
  static Integer increment(Connection c) throws SQLException {
    int v = counter(c);
    try (PreparedStatement s = c.prepareStatement("UPDATE t SET v = ? WHERE k = 'n'")) {
      s.setInt(1, v + 1);
      s.executeUpdate();
    }
    return v + 1;
  }

  int committedCounter() throws Exception {
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db.file().toAbsolutePath())) {
      return counter(other);
    }
  }

  @Test
  void commitsBeforeTheFutureCompletes() throws Exception {
    assertThat(Await.result(db.withJdbcTransaction(DatabaseJdbcTransactionTest::increment))).isEqualTo(1);
    assertThat(committedCounter()).isEqualTo(1);
  }

  @Test
  void aFailureRollsBackAndTheConnectionStaysUsable() throws Exception {
    Throwable err = Await.failure(db.withJdbcTransaction(c -> {
      increment(c);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO t (k, v) VALUES ('n', 5)"); // duplicate key
      }
      return null;
    }));
    assertThat(err).isInstanceOf(SQLException.class);
    assertThat(committedCounter()).isZero();
    Throwable thrown = Await.failure(db.withJdbcTransaction(c -> {
      increment(c);
      throw new IllegalStateException("work gave up");
    }));
    assertThat(thrown).hasMessage("work gave up");
    assertThat(committedCounter()).isZero();
    // both paths still work, and the pool sees the JDBC unit's commit
    Await.result(db.withJdbcTransaction(DatabaseJdbcTransactionTest::increment));
    Await.result(db.pool().withTransaction(c -> c.query("UPDATE t SET v = v + 1 WHERE k = 'n'").execute()));
    assertThat(Await.result(db.pool().query("SELECT v FROM t WHERE k = 'n'").execute()).iterator().next()
        .getInteger("v")).isEqualTo(2);
    assertThat(committedCounter()).isEqualTo(2);
  }

  @Test
  void poolTransactionsAndJdbcUnitsNeverInterleave() throws Exception {
    Context worker = workerContext();
    Context loop = vertx.getOrCreateContext();
    List<Future<?>> all = new ArrayList<>();
    Promise<Void> submitted = Promise.promise();
    loop.runOnContext(v -> {
      for (int i = 0; i < 150; i++) {
        // read-modify-write through the pool, with a hop to a worker thread per statement
        all.add(db.pool().withTransaction(c -> c.query("SELECT v FROM t WHERE k = 'n'").execute()
            .compose(rows -> c.preparedQuery("UPDATE t SET v = ? WHERE k = 'n'")
                .execute(Tuple.of(rows.iterator().next().getInteger("v") + 1)))));
        all.add(db.withJdbcTransaction(DatabaseJdbcTransactionTest::increment)); // from an event loop
      }
      submitted.complete();
    });
    Promise<Void> submittedOnWorker = Promise.promise();
    worker.runOnContext(v -> {
      for (int i = 0; i < 150; i++) {
        all.add(db.withJdbcTransaction(DatabaseJdbcTransactionTest::increment)); // on its own worker thread
      }
      submittedOnWorker.complete();
    });
    Await.result(Future.all(submitted.future(), submittedOnWorker.future()));
    Await.result(Future.all(new ArrayList<>(all)));
    assertThat(committedCounter()).isEqualTo(450);
  }

  @Test
  void afterAUnitTheWriteLockIsFreeForOtherProcesses() throws Exception {
    // once with autocommit on (fresh connection), once after the pool left it off
    for (int round = 0; round < 2; round++) {
      Await.result(db.withJdbcTransaction(DatabaseJdbcTransactionTest::increment));
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db.file() + "?busy_timeout=200");
           Statement st = other.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        st.execute("UPDATE t SET v = v + 10 WHERE k = 'n'");
        st.execute("COMMIT");
      }
      Await.result(db.pool().withTransaction(c -> c.query("UPDATE t SET v = v + 100 WHERE k = 'n'").execute()));
    }
    assertThat(Await.result(db.withJdbcTransaction(DatabaseJdbcTransactionTest::counter))).isEqualTo(222);
  }

  @Test
  void oneLeaseCanRunSeveralTransactionsEachCommittedOrRolledBackOnItsOwn() throws Exception {
    int[] seenByOtherConnection = new int[1];
    Await.result(db.withJdbcConnection(c -> {
      Database.inTransaction(c, DatabaseJdbcTransactionTest::increment);
      try {
        Database.inTransaction(c, conn -> {
          increment(conn);
          throw new SQLException("second one fails");
        });
      } catch (SQLException expected) {
        // rolled back alone
      }
      Database.inTransaction(c, DatabaseJdbcTransactionTest::increment);
      try {
        seenByOtherConnection[0] = committedCounter(); // committed while the lease is still held
      } catch (Exception e) {
        throw new SQLException(e);
      }
      return null;
    }));
    assertThat(seenByOtherConnection[0]).isEqualTo(2);
    assertThat(committedCounter()).isEqualTo(2);
  }

  @Test
  void aClosedDatabaseFailsTheUnit() {
    Await.result(db.close());
    assertThat(Await.failure(db.withJdbcTransaction(DatabaseJdbcTransactionTest::counter))).isNotNull();
    db = Await.result(Database.open(vertx, dir.resolve("x.db"), SCHEMA));
  }
}
