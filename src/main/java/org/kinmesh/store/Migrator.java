package org.kinmesh.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the migrations newer than the stored schema version, each in its own transaction. */
final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private final Pool pool;
  private final List<Migration> migrations;

  Migrator(Pool pool, List<Migration> migrations) {
    this.pool = pool;
    this.migrations = migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
  }

  Future<Void> migrate() {
    return pool.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            + "description TEXT NOT NULL, applied_at BIGINT NOT NULL)").execute()
        .compose(v -> pool.query("SELECT MAX(version) AS v FROM schema_migrations").execute())
        .compose(rows -> {
          Row row = rows.iterator().next();
          Integer current = row.getInteger("v");
          int from = current == null ? 0 : current;
          Future<Void> chain = Future.succeededFuture();
          for (Migration m : migrations) {
            if (m.version() > from) {
              chain = chain.compose(v -> apply(m));
            }
          }
          return chain;
        });
  }

  private Future<Void> apply(Migration m) {
    return pool.withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (String sql : m.statements()) {
        chain = chain.compose(v -> run(conn, sql));
      }
      return chain.compose(v -> conn.preparedQuery(
              "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)")
          .execute(Tuple.of(m.version(), m.description(), System.currentTimeMillis() / 1000)).mapEmpty());
    }).onSuccess(v -> LOG.info("op=migrate version={} description=\"{}\"", m.version(), m.description())).mapEmpty();
  }

  private static Future<Void> run(SqlConnection conn, String sql) {
    return conn.query(sql).execute().mapEmpty();
  }
}
