package org.kinmesh.chain;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.store.Database;
import org.kinmesh.store.Migration;
import org.kinmesh.wire.WireException;

/**
 * The node's accepted transactions on disk (its own SQLite file, beside the ledger's), so a 202
 * survives a crash of the node that gave it: each accepted transaction is stored before the
 * answer, and reloaded and forwarded again at start. It also keeps why a pending transaction could
 * not commit (superseded, expired), so a client can learn it. Writes queued while one runs go
 * together in the next transaction (one disk sync for a burst). Portable SQL.
 */
public final class MempoolStore {
  public static final List<Migration> MIGRATIONS = List.of(new Migration(1, "mempool tables", List.of(
      "CREATE TABLE pending (hash TEXT PRIMARY KEY, body TEXT NOT NULL, accepted_at BIGINT NOT NULL)",
      "CREATE TABLE rejected (hash TEXT PRIMARY KEY, reason TEXT NOT NULL, at BIGINT NOT NULL)")));

  private static final String INSERT_PENDING =
      "INSERT INTO pending (hash, body, accepted_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING";
  private static final String DELETE_PENDING = "DELETE FROM pending WHERE hash = ?";
  private static final String INSERT_REJECTED =
      "INSERT INTO rejected (hash, reason, at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING";

  private final Database db;
  private List<Tuple> adds = new ArrayList<>();
  private List<Tuple> deletes = new ArrayList<>();
  private List<Tuple> rejections = new ArrayList<>();
  private List<Promise<Void>> waiting = new ArrayList<>();
  private Future<Void> running;

  public MempoolStore(Database db) {
    this.db = db;
  }

  /** Stores an accepted transaction; completes once it is on disk. */
  public Future<Void> accept(Transaction tx, long atMs) {
    adds.add(Tuple.of(tx.hash(), tx.toJsonString(), atMs));
    Promise<Void> p = Promise.promise();
    waiting.add(p);
    flush();
    return p.future();
  }

  /** Forgets committed transactions and records rejected ones (behind: a crash replays the check at start). */
  public Future<Void> settle(List<String> committed, List<Mempool.Rejected> rejected, long atMs) {
    if (committed.isEmpty() && rejected.isEmpty()) {
      return Future.succeededFuture();
    }
    committed.forEach(h -> deletes.add(Tuple.of(h)));
    for (Mempool.Rejected r : rejected) {
      deletes.add(Tuple.of(r.tx().hash()));
      rejections.add(Tuple.of(r.tx().hash(), r.reason(), atMs));
    }
    Promise<Void> p = Promise.promise();
    waiting.add(p);
    flush();
    return p.future();
  }

  /** The stored pending transactions, oldest first. */
  public Future<List<Transaction>> pending() {
    return db.pool().query("SELECT body FROM pending ORDER BY accepted_at, hash").execute().compose(rows -> {
      List<Transaction> out = new ArrayList<>();
      try {
        for (Row r : rows) {
          out.add(Transaction.parse(r.getString("body").getBytes(StandardCharsets.UTF_8)));
        }
      } catch (WireException e) {
        return Future.failedFuture(new IllegalStateException("a stored pending transaction does not parse", e));
      }
      return Future.succeededFuture(out);
    });
  }

  /** Why this transaction was rejected, or null. */
  public Future<String> rejection(String hash) {
    return db.pool().preparedQuery("SELECT reason FROM rejected WHERE hash = ?").execute(Tuple.of(hash))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("reason"));
  }

  /** Completes once every write queued so far is done. */
  public Future<Void> drained() {
    return running == null ? Future.succeededFuture() : running.transform(v -> drained());
  }

  private void flush() {
    if (running != null || waiting.isEmpty()) {
      return;
    }
    List<Tuple> a = adds;
    List<Tuple> d = deletes;
    List<Tuple> r = rejections;
    List<Promise<Void>> w = waiting;
    adds = new ArrayList<>();
    deletes = new ArrayList<>();
    rejections = new ArrayList<>();
    waiting = new ArrayList<>();
    running = db.pool().withTransaction(conn -> batch(conn, INSERT_PENDING, a)
        .compose(v -> batch(conn, DELETE_PENDING, d))
        .compose(v -> batch(conn, INSERT_REJECTED, r)));
    running.onComplete(ar -> {
      running = null;
      w.forEach(p -> p.handle(ar));
      flush();
    });
  }

  private static Future<Void> batch(SqlConnection conn, String sql, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }
}
