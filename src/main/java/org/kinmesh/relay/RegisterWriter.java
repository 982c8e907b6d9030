package org.kinmesh.relay;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Group commit for registrations: requests queue up while one transaction is running, and the
 * next transaction writes all of them with two batched statements. Each statement round trip
 * through the JDBC client costs a worker-thread hop, so per-request transactions capped the
 * relay far below its signature-verification bound (BENCHMARKS.md). Order within a batch is
 * arrival order; the single-writer pool keeps batches apart.
 */
final class RegisterWriter {
  /** How a registration ended. */
  enum Outcome { ACCEPTED, REPLAYED_OR_UNAUTHORIZED }

  /** {@code caller}: the context that submitted it (an HTTP event loop), or null outside any context. */
  private record Pending(String blockchainId, String pubkey, String ip, int port, long timestamp, String sig,
      long nowSecs, Promise<Outcome> promise, Context caller) {}

  /** Bounded so one transaction stays short (and its IN lists small); the rest wait for the next one. */
  private static final int MAX_BATCH = 256;
  private static final String SET_WATERMARK =
      "INSERT INTO replay_watermarks (kind, blockchain_id, pubkey, last_ts) VALUES (?, ?, ?, ?) "
          + "ON CONFLICT (kind, blockchain_id, pubkey) DO UPDATE SET last_ts = excluded.last_ts";
  private static final String UPSERT_NODE =
      "INSERT INTO relay_nodes (blockchain_id, pubkey, ip, port, last_seen, sig) VALUES (?, ?, ?, ?, ?, ?) "
          + "ON CONFLICT (blockchain_id, pubkey) DO UPDATE SET ip = excluded.ip, port = excluded.port, "
          + "last_seen = excluded.last_seen, sig = excluded.sig";

  private final Pool pool;
  private final Context context;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private volatile Promise<Void> idle;

  RegisterWriter(Pool pool, Context context) {
    this.pool = pool;
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
   * Lets requests gather for a moment before a transaction starts: every transaction costs a
   * fixed ~7 round trips through the JDBC client, so bigger batches cost less per request
   * (BENCHMARKS.md). A millisecond is nothing next to an HTTP round trip.
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
      answer(batch, ar);
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
  private static void answer(List<Pending> batch, AsyncResult<List<Outcome>> ar) {
    Map<Context, List<Integer>> byCaller = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Context caller = batch.get(i).caller();
      if (caller == null) {
        complete(batch.get(i), ar, i);
      } else {
        byCaller.computeIfAbsent(caller, c -> new ArrayList<>()).add(i);
      }
    }
    byCaller.forEach((caller, indexes) -> caller.runOnContext(v -> {
      for (int i : indexes) {
        complete(batch.get(i), ar, i);
      }
    }));
  }

  private static void complete(Pending p, AsyncResult<List<Outcome>> ar, int index) {
    if (ar.succeeded()) {
      p.promise().complete(ar.result().get(index));
    } else {
      p.promise().fail(ar.cause());
    }
  }

  /**
   * One transaction: read the batch's authorizations and watermarks, decide every request in
   * arrival order (so two requests of one key in a batch behave as if sent one by one), then
   * write the accepted ones with two batched statements. The single-writer pool makes the
   * read-decide-write sequence atomic.
   */
  private Future<List<Outcome>> write(List<Pending> batch) {
    return pool.withTransaction(conn -> readState(conn, batch).compose(state -> {
      List<Outcome> outcomes = new ArrayList<>(batch.size());
      java.util.Map<String, Long> newest = new java.util.HashMap<>();
      List<Tuple> watermarks = new ArrayList<>();
      List<Tuple> nodes = new ArrayList<>();
      for (Pending p : batch) {
        String id = p.blockchainId() + '/' + p.pubkey();
        Long last = newest.containsKey(id) ? newest.get(id) : state.watermarks().get(id);
        if (!state.authorized().contains(id) || (last != null && p.timestamp() <= last)) {
          outcomes.add(Outcome.REPLAYED_OR_UNAUTHORIZED);
          continue;
        }
        newest.put(id, p.timestamp());
        outcomes.add(Outcome.ACCEPTED);
        watermarks.add(Tuple.of(RelayStore.Kind.REGISTER.name(), p.blockchainId(), p.pubkey(), p.timestamp()));
        nodes.add(Tuple.of(p.blockchainId(), p.pubkey(), p.ip(), p.port(), p.nowSecs(), p.sig()));
      }
      if (nodes.isEmpty()) {
        return Future.succeededFuture(outcomes);
      }
      return conn.preparedQuery(SET_WATERMARK).executeBatch(watermarks)
          .compose(r -> conn.preparedQuery(UPSERT_NODE).executeBatch(nodes))
          .map(r -> outcomes);
    }));
  }

  /** What the database says about the batch's keys: "id/key" authorized, and "id/key" -> last ts. */
  private record State(java.util.Set<String> authorized, java.util.Map<String, Long> watermarks) {}

  private static Future<State> readState(SqlConnection conn, List<Pending> batch) {
    java.util.Map<String, java.util.Set<String>> keysByChain = new java.util.HashMap<>();
    for (Pending p : batch) {
      keysByChain.computeIfAbsent(p.blockchainId(), k -> new java.util.LinkedHashSet<>()).add(p.pubkey());
    }
    State state = new State(new java.util.HashSet<>(), new java.util.HashMap<>());
    Future<Void> chain = Future.succeededFuture();
    for (var e : keysByChain.entrySet()) {
      chain = chain.compose(v -> readChain(conn, e.getKey(), e.getValue(), state));
    }
    return chain.map(state);
  }

  /**
   * One statement per blockchain: its authorized keys among the batch's, and the batch's
   * watermarks (kept after a key's removal, so unauthorized keys may have one too).
   */
  private static Future<Void> readChain(SqlConnection conn, String blockchainId, java.util.Set<String> keys,
      State into) {
    String marks = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
    Tuple args = Tuple.tuple().addString(blockchainId);
    keys.forEach(args::addString);
    args.addString(RelayStore.Kind.REGISTER.name()).addString(blockchainId);
    keys.forEach(args::addString);
    return conn.preparedQuery("SELECT pubkey, NULL AS last_ts FROM authorized_nodes "
            + "WHERE blockchain_id = ? AND pubkey IN (" + marks + ") "
            + "UNION ALL SELECT pubkey, last_ts FROM replay_watermarks "
            + "WHERE kind = ? AND blockchain_id = ? AND pubkey IN (" + marks + ")")
        .execute(args)
        .map(rows -> {
          for (Row r : rows) {
            String id = blockchainId + '/' + r.getString("pubkey");
            Long lastTs = r.getLong("last_ts");
            if (lastTs == null) {
              into.authorized().add(id);
            } else {
              into.watermarks().put(id, lastTs);
            }
          }
          return null;
        });
  }
}
