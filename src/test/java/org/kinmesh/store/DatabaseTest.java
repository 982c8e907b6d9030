package org.kinmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;

class DatabaseTest {
  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  static final List<Migration> V1 = List.of(new Migration(1, "t", List.of("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")));
  static final List<Migration> V2 = List.of(V1.get(0),
      new Migration(2, "t.w", List.of("ALTER TABLE t ADD COLUMN w TEXT")));

  String pragma(Database db, String name) {
    Row row = Await.result(db.pool().query("PRAGMA " + name).execute()).iterator().next();
    return String.valueOf(row.getValue(0));
  }

  @Test
  void opensOwnerOnlyInWalModeWithABusyTimeout() throws Exception {
    Path file = dir.resolve("sub/x.db");
    Database db = Await.result(Database.open(vertx, file, V1));
    assertThat(pragma(db, "journal_mode")).isEqualTo("wal");
    assertThat(pragma(db, "busy_timeout")).isEqualTo("5000");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    Await.result(db.close());
  }

  @Test
  void migrationsApplyOnceAndInOrder() {
    Path file = dir.resolve("x.db");
    Database db = Await.result(Database.open(vertx, file, V1));
    Await.result(db.pool().query("INSERT INTO t (k, v) VALUES ('a', 1)").execute());
    Await.result(db.close());
    db = Await.result(Database.open(vertx, file, V2));
    Await.result(db.pool().query("UPDATE t SET w = 'x'").execute());
    List<Integer> versions = new ArrayList<>();
    Await.result(db.pool().query("SELECT version FROM schema_migrations ORDER BY version").execute())
        .forEach(r -> versions.add(r.getInteger("version")));
    assertThat(versions).containsExactly(1, 2);
    Await.result(db.close());
    db = Await.result(Database.open(vertx, file, V2)); // nothing left to apply
    assertThat(Await.result(db.pool().query("SELECT COUNT(*) AS n FROM t").execute()).iterator().next()
        .getInteger("n")).isEqualTo(1);
    Await.result(db.close());
  }

  @Test
  void aFailingMigrationLeavesTheSchemaAsItWas() {
    Path file = dir.resolve("x.db");
    Await.result(Database.open(vertx, file, V1).compose(Database::close));
    List<Migration> broken = List.of(V1.get(0), new Migration(2, "broken",
        List.of("CREATE TABLE u (x INTEGER)", "THIS IS NOT SQL")));
    Throwable err = Await.failure(Database.open(vertx, file, broken));
    assertThat(err).isNotNull();
    Database db = Await.result(Database.open(vertx, file, V1));
    assertThat(Await.result(db.pool().query("SELECT name FROM sqlite_master WHERE name = 'u'").execute()).size())
        .isZero();
    Await.result(db.close());
  }

  @Test
  void betweenTransactionsTheWriteLockIsFreeForOtherProcesses() throws Exception {
    Path file = dir.resolve("x.db");
    Database db = Await.result(Database.open(vertx, file, V1));
    Await.result(db.pool().withTransaction(c -> c.query("INSERT INTO t (k, v) VALUES ('a', 1)").execute()));
    // another writer (an operator's sqlite3, a backup tool) gets in while the node is idle
    try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=200");
         java.sql.Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      st.execute("INSERT INTO t (k, v) VALUES ('b', 2)");
      st.execute("COMMIT");
    }
    assertThat(Await.result(db.pool().query("SELECT COUNT(*) AS n FROM t").execute()).iterator().next()
        .getInteger("n")).isEqualTo(2);
    Await.result(db.close());
  }
}
