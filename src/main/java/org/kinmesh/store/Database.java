package org.kinmesh.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * An SQLite database behind the Vert.x SQL client: a JDBCPool over an Agroal data source, in WAL
 * mode with a busy timeout and a single connection, so there is exactly one writer and the
 * order of writes is the order of requests. The SQL the stores use is portable to PostgreSQL.
 * Every write goes through {@code withTransaction}: after a commit the JDBC client leaves the
 * connection with autocommit off, so a bare statement would only commit with the next
 * transaction. Transactions stay DEFERRED (the driver opens the next one right after a
 * commit; IMMEDIATE would then hold the write lock for good and lock out tools like sqlite3).
 */
public final class Database {
  private final AgroalDataSource dataSource;
  private final Pool pool;
  private final Path file;

  private Database(Path file, AgroalDataSource dataSource, Pool pool) {
    this.file = file;
    this.dataSource = dataSource;
    this.pool = pool;
  }

  /** Opens (creating owner-only if new) the database file and applies the migrations. */
  public static Future<Database> open(Vertx vertx, Path file, List<Migration> migrations) {
    return vertx.executeBlocking(() -> createDataSource(file))
        .compose(ds -> {
          Pool pool = JDBCPool.pool(vertx, ds, new PoolOptions().setMaxSize(1).setName("sqlite-" + file.getFileName()));
          Database db = new Database(file, ds, pool);
          return new Migrator(pool, migrations).migrate().map(v -> db)
              .recover(err -> db.close().transform(ignored -> Future.failedFuture(err)));
        });
  }

  private static AgroalDataSource createDataSource(Path file) throws IOException, SQLException {
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    if (!Files.exists(abs)) {
      // The relay keeps its token secret here; SQLite gives -wal and -shm the same mode.
      Files.createFile(abs, PosixFilePermissions.asFileAttribute(
          EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    }
    String url = "jdbc:sqlite:" + abs;
    AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier()
        .connectionPoolConfiguration(cp -> cp
            .initialSize(1).minSize(1).maxSize(1)
            .acquisitionTimeout(Duration.ofSeconds(30))
            .connectionFactoryConfiguration(cf -> cf
                .jdbcUrl(url)
                .connectionProviderClass(org.sqlite.JDBC.class)
                .jdbcProperty("journal_mode", "WAL")
                .jdbcProperty("synchronous", "NORMAL")
                .jdbcProperty("busy_timeout", "5000")
                .jdbcProperty("foreign_keys", "true")));
    return AgroalDataSource.from(cfg);
  }

  public Pool pool() {
    return pool;
  }

  public Path file() {
    return file;
  }

  /** True when a trivial query answers. */
  public Future<Boolean> ping() {
    return pool.query("SELECT 1").execute().map(rows -> true).otherwise(false);
  }

  public Future<Void> close() {
    return pool.close().eventually(() -> {
      dataSource.close();
      return Future.succeededFuture();
    });
  }
}
