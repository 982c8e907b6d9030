package org.kinmesh.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * An SQLite database behind the Vert.x SQL client: a JDBCPool over an Agroal data source, in WAL
 * mode with a busy timeout and a single connection, so there is exactly one writer and the
 * order of writes is the order of requests. The SQL the stores use is portable to PostgreSQL.
 * Every write goes through {@code withTransaction} or {@link #withJdbcTransaction} (the same
 * connection, leased): after a commit the JDBC client leaves the
 * connection with autocommit off, so a bare statement would only commit with the next
 * transaction. Transactions stay DEFERRED (the driver opens the next one right after a
 * commit; IMMEDIATE would then hold the write lock for good and lock out tools like sqlite3).
 */
public final class Database {
  private final AgroalDataSource dataSource;
  private final PoolSource poolSource;
  private final Pool pool;
  private final Path file;
  private final Vertx vertx;

  private Database(Vertx vertx, Path file, AgroalDataSource dataSource, PoolSource poolSource, Pool pool) {
    this.vertx = vertx;
    this.file = file;
    this.dataSource = dataSource;
    this.poolSource = poolSource;
    this.pool = pool;
  }

  /** Opens (creating owner-only if new) the database file and applies the migrations. */
  public static Future<Database> open(Vertx vertx, Path file, List<Migration> migrations) {
    return vertx.executeBlocking(() -> createDataSource(file))
        .compose(ds -> {
          PoolSource source = new PoolSource(ds);
          Pool pool = JDBCPool.pool(vertx, source, new PoolOptions().setMaxSize(1).setName("sqlite-" + file.getFileName()));
          Database db = new Database(vertx, file, ds, source, pool);
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

  /** The Vert.x the pool runs on (stores set their retry timers on it). */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * True when a failure means the file system is full: SQLite says SQLITE_FULL (the
   * database or its WAL could not grow), or the OS said ENOSPC.
   */
  public static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("SQLITE_FULL") || m.contains("disk is full") || m.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  /** True when a trivial query answers. */
  public Future<Boolean> ping() {
    return pool.query("SELECT 1").execute().map(rows -> true).otherwise(false);
  }

  /**
   * Puts the connection back in a clean transaction after a failed write. On SQLITE_FULL (and I/O
   * errors) SQLite rolls the whole transaction back itself and returns to autocommit, while the
   * driver still believes a transaction is open: its rollback then fails before it opens the next
   * one, and every later statement would commit on its own, so a retried block could be stored
   * half. Rolling back, or else opening the transaction the driver believes in, restores the rule
   * that a block and its effects commit together.
   */
  public Future<Void> rollbackOpenTransaction() {
    return withJdbcConnection(conn -> {
      if (!conn.getAutoCommit()) {
        rollback(conn);
      }
      return null;
    }).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * Rolls back the driver's transaction; when SQLite already ended it (it does on SQLITE_FULL and
   * I/O errors, and the driver's rollback then fails), opens the transaction the driver believes
   * is open, so the next statements do not commit one by one.
   */
  private static void rollback(Connection conn) throws SQLException {
    try {
      conn.rollback();
    } catch (SQLException notOpen) {
      try (var st = conn.createStatement()) {
        st.execute("BEGIN");
      } catch (SQLException stillOpen) {
        notOpen.addSuppressed(stillOpen);
        throw notOpen;
      }
    }
  }

  /** A unit of work on the plain JDBC connection. */
  @FunctionalInterface
  public interface JdbcWork<T> {
    T apply(Connection conn) throws SQLException;
  }

  /**
   * Runs work as one transaction on the database's one connection with plain java.sql: commits
   * when it returns, rolls back when it throws. The pool's only connection is leased for the
   * whole unit, so no pool statement can run in between; a hot path pays one lease instead of a
   * worker-thread round trip per statement (BENCHMARKS.md). Runs on the caller's thread when that
   * is a worker thread, else on a blocking thread. Statements work prepares may be cached and
   * reused while {@code conn} stays the same object.
   */
  public <T> Future<T> withJdbcTransaction(JdbcWork<T> work) {
    return withJdbcConnection(conn -> inTransaction(conn, work));
  }

  /**
   * As {@link #withJdbcTransaction}, but work runs its own transactions (with
   * {@link #inTransaction}), as many as it likes while it holds the lease: everything else
   * that uses the database waits meanwhile, so keep it short.
   */
  public <T> Future<T> withJdbcConnection(JdbcWork<T> work) {
    return pool.withConnection(leased -> {
      Callable<T> unit = () -> work.apply(poolSource.leasedConnection());
      if (Context.isOnWorkerThread()) {
        try {
          return Future.succeededFuture(unit.call());
        } catch (Exception e) {
          return Future.failedFuture(e);
        }
      }
      return Vertx.currentContext().executeBlocking(unit, false);
    });
  }

  /** One transaction on a connection from {@link #withJdbcConnection}: commits, or rolls back on a throw. */
  public static <T> T inTransaction(Connection conn, JdbcWork<T> work) throws SQLException {
    // The JDBC client may have left autocommit off (see the class comment); leave it as found.
    boolean auto = conn.getAutoCommit();
    if (auto) {
      conn.setAutoCommit(false);
    }
    try {
      T result = work.apply(conn);
      conn.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        rollback(conn);
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      throw e;
    } finally {
      if (auto) {
        conn.setAutoCommit(true);
      }
    }
  }

  /**
   * The data source the pool sees: Agroal's, remembering the connection it handed out last.
   * Agroal and the pool both hold at most one connection, so while the pool's connection is
   * leased that is the one in use.
   */
  private static final class PoolSource implements DataSource {
    private final AgroalDataSource delegate;
    private volatile Connection last;

    PoolSource(AgroalDataSource delegate) {
      this.delegate = delegate;
    }

    Connection leasedConnection() throws SQLException {
      Connection c = last;
      if (c == null || c.isClosed()) {
        throw new SQLException("the database connection is closed");
      }
      return c;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = delegate.getConnection();
      last = c;
      return c;
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      Connection c = delegate.getConnection(user, password);
      last = c;
      return c;
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return delegate.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return delegate.isWrapperFor(iface);
    }
  }

  public Future<Void> close() {
    return pool.close().eventually(() -> {
      dataSource.close();
      return Future.succeededFuture();
    });
  }
}
