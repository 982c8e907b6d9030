package org.kinmesh.relay;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.kinmesh.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for registrations: requests queue up while one transaction is running, and the
 * next transaction writes all of them with two batched statements. Per-request transactions
 * capped the relay far below its signature-verification bound, and so did ~7 JDBC-client round
 * trips (each a worker-thread hop) per group commit; a batch is now one unit of plain JDBC on the
 * database's connection (BENCHMARKS.md). Order within a batch is arrival order; the database's
 * single connection keeps batches, and every other write, apart. A request is answered only
 * after its batch committed.
 */
final class RegisterWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RegisterWriter.class);

  /** How a registration ended. */
  enum Outcome { ACCEPTED, REPLAYED_OR_UNAUTHORIZED }

  /** {@code caller}: the context that submitted it (an HTTP event loop), or null outside any context. */
  record Pending(String blockchainId, String pubkey, String ip, int port, long timestamp, String sig,
      long nowSecs, Promise<Outcome> promise, Context caller) {}

  /** Bounded so one transaction stays short; the rest wait for the next one. */
  private static final int MAX_BATCH = 256;

  private final Database db;
  private final RegisterSql sql = new RegisterSql();
  private final Context context;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private volatile Promise<Void> idle;

  /** @param context where batches start: a worker context, so the JDBC work runs on its thread */
  RegisterWriter(Database db, Context context) {
    this.db = db;
    this.context = context;
  }

  Future<Outcome> submit(String blockchainId, String pubkey, String ip, int port, long timestamp, String sig,
      long nowSecs) {
    Promise<Outcome> promise = Promise.promise();
    queue.add(new Pending(blockchainId, pubkey, ip, port, timestamp, sig, nowSecs, promise, Vertx.currentContext()));
    drainIfIdle();
    return promise.future();
  }

  /** Completes once everything submitted so far is written (used before closing the database). */
  Future<Void> quiesce() {
    Promise<Void> p = Promise.promise();
    idle = p;
    if (queue.isEmpty() && !writing.get()) {
      p.tryComplete();
    }
    return p.future();
  }

  /**
   * Lets requests gather for a moment before a transaction starts: every transaction has a
   * fixed cost (the connection lease, which hops through an event loop, the commit, the
   * answers' hand-off), so bigger batches cost less per request (BENCHMARKS.md). A millisecond
   * is nothing next to an HTTP round trip.
   */
  private static final long LINGER_MS = 1;

  private void drainIfIdle() {
    if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
      return;
    }
    context.runOnContext(v -> context.owner().setTimer(LINGER_MS, t -> drainNow()));
  }

  private void drainNow() {
    List<Pending> batch = new ArrayList<>();
    Pending p;
    while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
      batch.add(p);
    }
    // We are on the writer's own context (see drainIfIdle).
    write(batch).onComplete(ar -> {
      answer(batch, ar.succeeded() ? ar.result()
          : java.util.Collections.nCopies(batch.size(), Future.<Outcome>failedFuture(ar.cause())));
      writing.set(false);
      Promise<Void> waiting = idle;
      if (queue.isEmpty() && waiting != null) {
        waiting.tryComplete();
      }
      drainIfIdle();
    });
  }

  /**
   * Completes each request's promise on the context that submitted it, with one task per
   * context for the whole batch. Completing them here instead would build and write every
   * HTTP answer on this one worker thread (Netty then hands each write to the connection's
   * event loop: a cross-thread task and wake-up per request), serialized with the next batch.
   */
  private static void answer(List<Pending> batch, List<AsyncResult<Outcome>> results) {
    Map<Context, List<Integer>> byCaller = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Context caller = batch.get(i).caller();
      if (caller == null) {
        complete(batch.get(i), results.get(i));
      } else {
        byCaller.computeIfAbsent(caller, c -> new ArrayList<>()).add(i);
      }
    }
    byCaller.forEach((caller, indexes) -> caller.runOnContext(v -> {
      for (int i : indexes) {
        complete(batch.get(i), results.get(i));
      }
    }));
  }

  private static void complete(Pending p, AsyncResult<Outcome> result) {
    if (result.succeeded()) {
      p.promise().complete(result.result());
    } else {
      p.promise().fail(result.cause());
    }
  }

  /**
   * One transaction on the database's connection with plain JDBC (RegisterSql): one lease and no
   * per-statement hop to another thread. If it fails, the requests are written again one per
   * transaction, so a row the database refuses fails only its own request. Never fails as a
   * whole: each request gets its outcome or its failure.
   */
  private Future<List<AsyncResult<Outcome>>> write(List<Pending> batch) {
    return db.withJdbcTransaction(conn -> sql.decideAndWrite(conn, batch))
        .map(outcomes -> {
          List<AsyncResult<Outcome>> results = new ArrayList<>(outcomes.size());
          for (Outcome o : outcomes) {
            results.add(Future.succeededFuture(o));
          }
          return results;
        })
        .recover(err -> {
          if (batch.size() == 1) {
            return Future.succeededFuture(List.of(Future.failedFuture(err)));
          }
          LOG.warn("op=register group commit of {} failed, writing them one by one: {}", batch.size(), err.toString());
          return oneByOne(batch);
        });
  }

  private Future<List<AsyncResult<Outcome>>> oneByOne(List<Pending> batch) {
    List<AsyncResult<Outcome>> results = new ArrayList<>(batch.size());
    Future<Void> chain = Future.succeededFuture();
    for (Pending p : batch) {
      chain = chain.compose(v -> db.withJdbcTransaction(conn -> sql.decideAndWrite(conn, List.of(p)).get(0))
          .transform(ar -> {
            results.add(ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()));
            return Future.<Void>succeededFuture();
          }));
    }
    return chain.map(results);
  }
}
