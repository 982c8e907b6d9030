package org.kinmesh.relay;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.kinmesh.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for registrations: requests queue up while one transaction is running, and the
 * next transaction writes all of them with two batched statements (RegisterSql, plain JDBC).
 * Per-request transactions capped the relay far below its signature-verification bound, and so
 * did the fixed cost of each group commit when it went through the JDBC client (~7 round trips,
 * each a worker-thread hop) or took its own lease of the connection (BENCHMARKS.md). So a
 * writing session leases the database's only connection once and, on one worker thread, commits
 * batch after batch while requests keep coming; it lets the connection go when none has come for
 * {@link #IDLE_MS} or after {@link #SESSION_MS}, so admin writes, the sweep and health checks get
 * their turn. Order within a batch is arrival order; a request is answered only after its batch
 * committed.
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
  /**
   * Lets requests gather after the first one before a transaction starts: each commit has a fixed
   * cost, so bigger batches cost less per request. Nothing next to an HTTP round trip.
   */
  private static final long LINGER_MICROS = 1000;
  /** A session ends when no request has come for this long... */
  static final long IDLE_MS = 2;
  /** ...or once it has held the connection this long. */
  static final long SESSION_MS = 20;

  private final Database db;
  private final RegisterSql sql = new RegisterSql();
  private final Context context;
  private final long idleNanos;
  private final long sessionNanos;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private volatile Promise<Void> idle;

  /** @param context where sessions run: a worker context, so they may block its thread */
  RegisterWriter(Database db, Context context) {
    this(db, context, IDLE_MS, SESSION_MS);
  }

  /** With other session bounds (tests). */
  RegisterWriter(Database db, Context context, long idleMs, long sessionMs) {
    this.db = db;
    this.context = context;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMs);
    this.sessionNanos = TimeUnit.MILLISECONDS.toNanos(sessionMs);
  }

  Future<Outcome> submit(String blockchainId, String pubkey, String ip, int port, long timestamp, String sig,
      long nowSecs) {
    Promise<Outcome> promise = Promise.promise();
    queue.add(new Pending(blockchainId, pubkey, ip, port, timestamp, sig, nowSecs, promise, Vertx.currentContext()));
    startIfIdle();
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

  private void startIfIdle() {
    if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
      return;
    }
    context.runOnContext(v -> db.withJdbcConnection(this::session).onComplete(ar -> {
      if (ar.failed()) {
        // no connection (the database is closed or broken): fail what is queued, or it waits forever
        List<Pending> stranded = new ArrayList<>();
        queue.drainTo(stranded);
        answer(stranded, java.util.Collections.nCopies(stranded.size(), Future.<Outcome>failedFuture(ar.cause())));
      }
      writing.set(false);
      Promise<Void> waiting = idle;
      if (queue.isEmpty() && waiting != null) {
        waiting.tryComplete();
      }
      startIfIdle();
    }));
  }

  /** Runs on the writer's worker thread with the connection leased: batch after batch, then lets go. */
  private Void session(Connection conn) {
    long end = System.nanoTime() + sessionNanos;
    List<Pending> batch = new ArrayList<>();
    while (true) {
      Pending first;
      long left = end - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      try {
        first = queue.poll(Math.min(idleNanos, left), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (first == null) {
        return null;
      }
      if (queue.size() < MAX_BATCH - 1) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(LINGER_MICROS));
      }
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      List<Pending> written = List.copyOf(batch);
      answer(written, write(conn, written));
    }
  }

  /**
   * One transaction for the batch. If it fails, the requests are written again one per
   * transaction, so a row the database refuses fails only its own request. Each request gets its
   * outcome or its failure.
   */
  private List<AsyncResult<Outcome>> write(Connection conn, List<Pending> batch) {
    List<AsyncResult<Outcome>> results = new ArrayList<>(batch.size());
    try {
      for (Outcome o : Database.inTransaction(conn, c -> sql.decideAndWrite(c, batch))) {
        results.add(Future.succeededFuture(o));
      }
      return results;
    } catch (Exception err) {
      if (batch.size() == 1) {
        return List.of(Future.failedFuture(err));
      }
      LOG.warn("op=register group commit of {} failed, writing them one by one: {}", batch.size(), err.toString());
    }
    for (Pending p : batch) {
      try {
        results.add(Future.succeededFuture(Database.inTransaction(conn, c -> sql.decideAndWrite(c, List.of(p)).get(0))));
      } catch (Exception err) {
        results.add(Future.failedFuture(err));
      }
    }
    return results;
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
}
