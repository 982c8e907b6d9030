package org.kinmesh.relay;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Hex;
import org.kinmesh.store.Database;
import org.kinmesh.store.Migration;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/**
 * The relay's tables. Every statement is scoped by blockchain_id and is portable SQL
 * (upserts with ON CONFLICT), so PostgreSQL can run it too. Each mutating operation checks
 * its preconditions and the replay watermark inside its own transaction; the single-writer
 * pool makes those checks race-free.
 */
public final class RelayStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RelayStore.class);
  public static final List<Migration> MIGRATIONS = List.of(
      new Migration(1, "relay tables", List.of(
          "CREATE TABLE blockchain_registry (blockchain_id TEXT PRIMARY KEY, genesis_hash TEXT NOT NULL, "
              + "created_at BIGINT NOT NULL, admin_pubkey TEXT NOT NULL)",
          "CREATE TABLE authorized_nodes (blockchain_id TEXT NOT NULL, pubkey TEXT NOT NULL, added_at BIGINT NOT NULL, "
              + "PRIMARY KEY (blockchain_id, pubkey))",
          "CREATE TABLE relay_nodes (blockchain_id TEXT NOT NULL, pubkey TEXT NOT NULL, ip TEXT NOT NULL, "
              + "port INTEGER NOT NULL, last_seen BIGINT NOT NULL, sig TEXT NOT NULL, PRIMARY KEY (blockchain_id, pubkey))",
          "CREATE INDEX relay_nodes_last_seen ON relay_nodes (last_seen)",
          "CREATE TABLE replay_watermarks (kind TEXT NOT NULL, blockchain_id TEXT NOT NULL, pubkey TEXT NOT NULL, "
              + "last_ts BIGINT NOT NULL, PRIMARY KEY (kind, blockchain_id, pubkey))",
          "CREATE TABLE relay_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")),
      // Following the chain (docs/relay.md): the verified blocks (replayed at start-up), the
      // chain's keys as of the followed head, and the operator's denials.
      new Migration(2, "followed chains", List.of(
          "CREATE TABLE followed_blocks (blockchain_id TEXT NOT NULL, height BIGINT NOT NULL, body TEXT NOT NULL, "
              + "PRIMARY KEY (blockchain_id, height))",
          "CREATE TABLE followed_keys (blockchain_id TEXT NOT NULL, pubkey TEXT NOT NULL, active INTEGER NOT NULL, "
              + "PRIMARY KEY (blockchain_id, pubkey))",
          "CREATE TABLE operator_denied (blockchain_id TEXT NOT NULL, pubkey TEXT NOT NULL, "
              + "PRIMARY KEY (blockchain_id, pubkey))")));

  /** Replay-watermark kinds, one per signed message kind that changes state. */
  public enum Kind { REGISTER, REGISTER_BLOCKCHAIN, AUTHORIZE_NODE }

  private final Database db;
  private final RegisterWriter registerWriter;
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private volatile io.vertx.core.Promise<Void> quiet;
  private final org.kinmesh.store.WriteHealth writes;

  /**
   * @param writerContext where group-committed registrations run their transactions: a worker
   *     context of its own, whose thread the writer blocks while it holds the connection
   */
  public RelayStore(Database db, io.vertx.core.Context writerContext) {
    this(db, new RegisterWriter(db, writerContext));
  }

  RelayStore(Database db, RegisterWriter registerWriter) {
    this.db = db;
    this.registerWriter = registerWriter;
    this.writes = new org.kinmesh.store.WriteHealth(db.file(),
        "registrations are refused with 503 until a write goes through");
  }

  /** Whether registrations are being written (a full disk shows here), for /health and /metrics. */
  public org.kinmesh.store.WriteHealth writeHealth() {
    return writes;
  }

  /**
   * Records how a write went. A failure that is not the client's (a full disk above all) is
   * logged with what to do, and answered 503 "unavailable" with that message when it is a full
   * disk: nothing was stored, and the client retries later.
   */
  private <T> Future<T> watched(Future<T> write) {
    return write.transform(ar -> {
      if (ar.succeeded() || ar.cause() instanceof org.kinmesh.wire.WireException) {
        if (writes.succeeded()) {
          LOG.info("op=db_write the database is writable again: {}", db.file());
        }
        return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      }
      writes.failed(ar.cause(), System.currentTimeMillis());
      org.kinmesh.store.WriteHealth.Status s = writes.status();
      if (s.writeFailures() == 1 || s.writeFailures() % 100 == 0 || writes.failuresInARow() == 1) {
        LOG.warn("op=db_write failed ({} so far): {}", s.writeFailures(), s.message());
      }
      // SQLite may have ended the transaction itself; the next write must start a clean one.
      Future<Void> clean = db.rollbackOpenTransaction();
      if (org.kinmesh.store.Database.isDiskFull(ar.cause())) {
        String where = db.file().toAbsolutePath().getParent().toString();
        return clean.transform(v -> Future.failedFuture(new org.kinmesh.wire.WireException(ErrorCode.UNAVAILABLE,
            "the relay's disk is full; nothing was stored; try again later (the operator must free space at "
                + where + ")")));
      }
      return clean.transform(v -> Future.failedFuture(ar.cause()));
    });
  }

  public Database database() {
    return db;
  }

  /** The token MAC key, created once and kept, so tokens survive a restart. */
  public Future<byte[]> tokenKey() {
    return db.pool().withTransaction(conn -> conn.preparedQuery("SELECT value FROM relay_meta WHERE name = ?")
        .execute(Tuple.of("token_mac_key"))
        .compose(rows -> {
          if (rows.size() > 0) {
            return Future.succeededFuture(Hex.decode(rows.iterator().next().getString("value")));
          }
          byte[] key = new byte[32];
          new SecureRandom().nextBytes(key);
          return conn.preparedQuery("INSERT INTO relay_meta (name, value) VALUES (?, ?)")
              .execute(Tuple.of("token_mac_key", Hex.encode(key))).map(r -> key);
        }));
  }

  /** Fills the directory from the tables. */
  public Future<Void> loadInto(RelayDirectory dir) {
    return db.pool().query("SELECT blockchain_id, genesis_hash, admin_pubkey, created_at FROM blockchain_registry")
        .execute()
        .compose(rows -> {
          for (Row r : rows) {
            dir.putChain(r.getString("blockchain_id"), r.getString("genesis_hash"), r.getString("admin_pubkey"),
                r.getLong("created_at"));
          }
          return db.pool().query("SELECT blockchain_id, pubkey FROM authorized_nodes").execute();
        })
        .compose(rows -> {
          for (Row r : rows) {
            dir.authorize(r.getString("blockchain_id"), List.of(r.getString("pubkey")));
          }
          return db.pool().query("SELECT blockchain_id, pubkey, ip, port, last_seen FROM relay_nodes").execute();
        })
        .compose(rows -> {
          for (Row r : rows) {
            dir.putLive(r.getString("blockchain_id"), r.getString("pubkey"),
                new RelayDirectory.LiveEntry(r.getString("ip"), r.getInteger("port"), r.getLong("last_seen")));
          }
          return db.pool().query("SELECT blockchain_id, pubkey FROM operator_denied").execute();
        })
        .compose(rows -> {
          for (Row r : rows) {
            dir.deny(r.getString("blockchain_id"), r.getString("pubkey"));
          }
          return db.pool().query("SELECT DISTINCT blockchain_id FROM followed_blocks").execute();
        })
        .compose(rows -> {
          Future<Void> all = Future.succeededFuture();
          for (Row r : rows) {
            String chain = r.getString("blockchain_id");
            all = all.compose(v -> replayFollowed(chain, null, 0)).map(head -> {
              dir.follow(chain, head);
              LOG.info("op=follow_load bc={} height={}", chain, head.height());
              return null;
            });
          }
          return all;
        });
  }

  /** Blocks read per query while replaying: memory stays bounded whatever the chain's length. */
  private static final int REPLAY_PAGE = 256;

  /**
   * Replays a followed chain from the stored blocks, a page at a time. Their certificates and
   * transaction signatures were checked when they came in, so the replay skips both.
   */
  private Future<org.kinmesh.chain.GovernanceState> replayFollowed(String chain, org.kinmesh.chain.GovernanceState s,
      long from) {
    return db.pool().preparedQuery("SELECT height, body FROM followed_blocks WHERE blockchain_id = ? AND height >= ? "
            + "ORDER BY height LIMIT " + REPLAY_PAGE).execute(Tuple.of(chain, from))
        .compose(rows -> {
          org.kinmesh.chain.GovernanceState head = s;
          try {
            for (Row r : rows) {
              org.kinmesh.chain.FollowedBlock b = org.kinmesh.chain.FollowedBlock.parse(
                  r.getString("body").getBytes(java.nio.charset.StandardCharsets.UTF_8));
              head = head == null ? org.kinmesh.chain.Ledger.genesis(b.genesisBlock()).state()
                  : org.kinmesh.chain.Ledger.applyFollowed(head, b, tx -> true).state();
            }
          } catch (WireException | org.kinmesh.chain.InvalidBlockException e) {
            return Future.failedFuture(new IllegalStateException("the relay's stored followed blocks of '" + chain
                + "' do not replay (" + e.getMessage() + "); the database " + db.file() + " is damaged", e));
          }
          if (head == null) {
            return Future.failedFuture(new IllegalStateException("no followed blocks of '" + chain + "'"));
          }
          return rows.size() < REPLAY_PAGE ? Future.succeededFuture(head)
              : replayFollowed(chain, head, head.height() + 1);
        });
  }

  /**
   * Stores verified blocks and the chain's keys as of the new head, in one transaction; fails
   * with CONFLICT when another request stored one of these heights first.
   */
  public Future<Void> follow(String blockchainId, List<org.kinmesh.chain.FollowedBlock> blocks,
      java.util.Map<String, Boolean> keys) {
    List<Tuple> rows = new ArrayList<>();
    // The followed form: DATA transactions as their hash only, never a family's payload.
    for (org.kinmesh.chain.FollowedBlock b : blocks) {
      rows.add(Tuple.of(blockchainId, b.height(), new String(b.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    List<Tuple> keyRows = new ArrayList<>();
    keys.forEach((k, active) -> keyRows.add(Tuple.of(blockchainId, k, active ? 1 : 0)));
    return tracked(watched(db.pool().withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO followed_blocks (blockchain_id, height, body) VALUES (?, ?, ?) "
                + "ON CONFLICT (blockchain_id, height) DO NOTHING").executeBatch(rows)
        .compose(r -> {
          int inserted = 0;
          for (var it = r; it != null; it = it.next()) {
            inserted += it.rowCount();
          }
          if (inserted != rows.size()) {
            return fail(ErrorCode.CONFLICT, "another request stored these heights first; ask GET /follow/"
                + blockchainId + " where the relay stands");
          }
          return conn.preparedQuery("DELETE FROM followed_keys WHERE blockchain_id = ?").execute(Tuple.of(blockchainId));
        })
        .compose(r -> keyRows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
            "INSERT INTO followed_keys (blockchain_id, pubkey, active) VALUES (?, ?, ?)").executeBatch(keyRows))
        .<Void>mapEmpty())));
  }

  /**
   * Upserts a registration if the key is still authorized and the timestamp is newer than the
   * last accepted one (group-committed with concurrent registrations). Fails with UNAUTHORIZED
   * or REPLAYED otherwise; {@code authorizedNow} tells the two apart for the error answer.
   */
  public Future<Void> register(String blockchainId, String pubkey, String ip, int port, long timestamp,
      String sig, long nowSecs, java.util.function.BooleanSupplier authorizedNow) {
    return tracked(watched(registerWriter.submit(blockchainId, pubkey, ip, port, timestamp, sig, nowSecs))
        .compose(outcome -> {
          if (outcome == RegisterWriter.Outcome.ACCEPTED) {
            return Future.succeededFuture();
          }
          return authorizedNow.getAsBoolean()
              ? fail(ErrorCode.REPLAYED, "timestamp " + timestamp + " is not newer than the last accepted one")
              : fail(ErrorCode.UNAUTHORIZED, "key is not authorized for blockchain '" + blockchainId + "'");
        }));
  }

  /** Completes when every operation started so far has finished: call before closing the database. */
  public Future<Void> quiesce() {
    return registerWriter.quiesce().compose(v -> {
      io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
      quiet = p;
      if (inFlight.get() == 0) {
        p.tryComplete();
      }
      return p.future();
    });
  }

  /** Counts an operation in flight until its future completes. */
  private <T> Future<T> tracked(Future<T> op) {
    inFlight.incrementAndGet();
    return op.andThen(ar -> {
      if (inFlight.decrementAndGet() == 0 && quiet != null) {
        quiet.tryComplete();
      }
    });
  }

  /** Outcome of a register_blockchain call. */
  public enum RegisterOutcome { CREATED, UPDATED }

  public Future<RegisterOutcome> registerBlockchain(String blockchainId, String genesisHash, String adminPubkey,
      boolean mayCreate, List<String> keys, long timestamp, long nowSecs) {
    return tracked(db.pool().withTransaction(conn -> conn.preparedQuery(
            "SELECT genesis_hash, admin_pubkey FROM blockchain_registry WHERE blockchain_id = ?")
        .execute(Tuple.of(blockchainId))
        .compose(rows -> {
          RegisterOutcome outcome;
          if (rows.size() > 0) {
            Row row = rows.iterator().next();
            if (!row.getString("admin_pubkey").equals(adminPubkey)) {
              return fail(ErrorCode.CONFLICT, "blockchain '" + blockchainId + "' is owned by another admin");
            }
            if (!row.getString("genesis_hash").equals(genesisHash)) {
              return fail(ErrorCode.CONFLICT, "blockchain '" + blockchainId + "' is registered with another genesis");
            }
            outcome = RegisterOutcome.UPDATED;
          } else if (mayCreate) {
            outcome = RegisterOutcome.CREATED;
          } else {
            return fail(ErrorCode.UNAUTHORIZED, "admin key may not register blockchains on this relay");
          }
          Future<Void> chain = advanceWatermark(conn, Kind.REGISTER_BLOCKCHAIN, blockchainId, adminPubkey, timestamp);
          if (outcome == RegisterOutcome.CREATED) {
            chain = chain.compose(v -> conn.preparedQuery("INSERT INTO blockchain_registry "
                    + "(blockchain_id, genesis_hash, created_at, admin_pubkey) VALUES (?, ?, ?, ?)")
                .execute(Tuple.of(blockchainId, genesisHash, nowSecs, adminPubkey)).mapEmpty());
          }
          return chain.compose(v -> insertAuthorized(conn, blockchainId, keys, nowSecs)).map(outcome);
        })));
  }

  /** Bootstrap: creates or extends a trusted snapshot without signatures or watermarks. */
  public Future<Void> bootstrap(RelayConfig.BootstrapEntry entry, long nowSecs) {
    return db.pool().withTransaction(conn -> conn.preparedQuery(
            "SELECT genesis_hash, admin_pubkey FROM blockchain_registry WHERE blockchain_id = ?")
        .execute(Tuple.of(entry.blockchainId()))
        .compose(rows -> {
          if (rows.size() > 0) {
            Row row = rows.iterator().next();
            if (!row.getString("genesis_hash").equals(entry.genesisHash())
                || !row.getString("admin_pubkey").equals(entry.adminPubkey())) {
              return fail(ErrorCode.CONFLICT, "bootstrap for '" + entry.blockchainId()
                  + "' disagrees with the registered genesis_hash or admin_pubkey");
            }
            return Future.<Void>succeededFuture();
          }
          return conn.preparedQuery("INSERT INTO blockchain_registry (blockchain_id, genesis_hash, created_at, "
                  + "admin_pubkey) VALUES (?, ?, ?, ?)")
              .execute(Tuple.of(entry.blockchainId(), entry.genesisHash(), nowSecs, entry.adminPubkey())).<Void>mapEmpty();
        })
        .compose(v -> insertAuthorized(conn, entry.blockchainId(), entry.authorizedPubkeys(), nowSecs)));
  }

  public Future<Void> authorizeNode(String blockchainId, String pubkey, boolean add, String adminPubkey,
      long timestamp, long nowSecs) {
    return tracked(db.pool().withTransaction(conn -> conn.preparedQuery(
            "SELECT admin_pubkey FROM blockchain_registry WHERE blockchain_id = ?")
        .execute(Tuple.of(blockchainId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return fail(ErrorCode.UNKNOWN_BLOCKCHAIN, "blockchain '" + blockchainId + "' is not registered");
          }
          if (!rows.iterator().next().getString("admin_pubkey").equals(adminPubkey)) {
            return fail(ErrorCode.UNAUTHORIZED, "only the blockchain's admin may authorize nodes");
          }
          return advanceWatermark(conn, Kind.AUTHORIZE_NODE, blockchainId, adminPubkey, timestamp);
        })
        .compose(v -> add
            ? insertAuthorized(conn, blockchainId, List.of(pubkey), nowSecs)
                .compose(x -> conn.preparedQuery("DELETE FROM operator_denied WHERE blockchain_id = ? AND pubkey = ?")
                    .execute(Tuple.of(blockchainId, pubkey)))
                .<Void>mapEmpty()
            : conn.preparedQuery("DELETE FROM authorized_nodes WHERE blockchain_id = ? AND pubkey = ?")
                .execute(Tuple.of(blockchainId, pubkey))
                .compose(r -> conn.preparedQuery("INSERT INTO operator_denied (blockchain_id, pubkey) VALUES (?, ?) "
                    + "ON CONFLICT (blockchain_id, pubkey) DO NOTHING").execute(Tuple.of(blockchainId, pubkey)))
                .compose(r -> conn.preparedQuery("DELETE FROM relay_nodes WHERE blockchain_id = ? AND pubkey = ?")
                    .execute(Tuple.of(blockchainId, pubkey)))
                .mapEmpty())));
  }

  /** Deletes live entries whose last_seen is before the cutoff; returns how many. */
  public Future<Integer> evictOlderThan(long cutoffSecs) {
    return tracked(db.pool().withTransaction(conn -> conn.preparedQuery("DELETE FROM relay_nodes WHERE last_seen < ?")
        .execute(Tuple.of(cutoffSecs)).map(r -> r.rowCount())));
  }

  /** Stores ts as the newest for (kind, id, key) only if it is newer; REPLAYED otherwise. */
  private static Future<Void> advanceWatermark(SqlConnection conn, Kind kind, String blockchainId, String pubkey,
      long ts) {
    return conn.preparedQuery("INSERT INTO replay_watermarks (kind, blockchain_id, pubkey, last_ts) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (kind, blockchain_id, pubkey) DO UPDATE SET last_ts = excluded.last_ts "
            + "WHERE replay_watermarks.last_ts < excluded.last_ts")
        .execute(Tuple.of(kind.name(), blockchainId, pubkey, ts))
        .compose(r -> r.rowCount() == 1 ? Future.succeededFuture()
            : fail(ErrorCode.REPLAYED, "timestamp " + ts + " is not newer than the last accepted one"));
  }

  private static Future<Void> insertAuthorized(SqlConnection conn, String blockchainId, List<String> keys, long now) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(keys.size());
    for (String k : keys) {
      batch.add(Tuple.of(blockchainId, k, now));
    }
    return conn.preparedQuery("INSERT INTO authorized_nodes (blockchain_id, pubkey, added_at) VALUES (?, ?, ?) "
        + "ON CONFLICT (blockchain_id, pubkey) DO NOTHING").executeBatch(batch).mapEmpty();
  }

  private static <T> Future<T> fail(ErrorCode code, String message) {
    return Future.failedFuture(new WireException(code, message));
  }
}
