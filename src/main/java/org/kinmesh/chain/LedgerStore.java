package org.kinmesh.chain;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.kinmesh.store.Database;
import org.kinmesh.store.Migration;
import org.kinmesh.wire.WireException;

/**
 * Blocks, transactions and the governance tables derived from them. The tables are a cache of
 * {@link Ledger}'s pure state: each committed block is appended and its effects written in one
 * transaction, and start-up rebuilds every derived table from the stored blocks (idempotent).
 * Calls are serialized internally so appends never interleave.
 */
public final class LedgerStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LedgerStore.class);
  public static final List<Migration> MIGRATIONS = List.of(new Migration(1, "ledger tables", List.of(
      "CREATE TABLE blocks (height BIGINT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, prev_hash TEXT NOT NULL, "
          + "timestamp BIGINT NOT NULL, proposer TEXT NOT NULL, tx_count INTEGER NOT NULL, body TEXT NOT NULL)",
      "CREATE TABLE transactions (hash TEXT PRIMARY KEY, height BIGINT NOT NULL, idx INTEGER NOT NULL, "
          + "type TEXT NOT NULL, sender TEXT NOT NULL, nonce BIGINT NOT NULL, timestamp BIGINT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX transactions_sender ON transactions (sender)",
      "CREATE TABLE consensus_nodes (node_id INTEGER PRIMARY KEY, pubkey TEXT NOT NULL UNIQUE, "
          + "is_consensus INTEGER NOT NULL, is_active INTEGER NOT NULL, status TEXT NOT NULL, "
          + "registered_at BIGINT NOT NULL, last_seen BIGINT NOT NULL, suspended_until BIGINT NOT NULL, "
          + "pending_resource TEXT NOT NULL)",
      "CREATE TABLE family_members (pubkey TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, "
          + "added_at BIGINT NOT NULL)",
      "CREATE TABLE proposals (resource_id TEXT PRIMARY KEY, author TEXT NOT NULL, created_at BIGINT NOT NULL, "
          + "expires_at BIGINT NOT NULL, timelock INTEGER NOT NULL, outcome TEXT NOT NULL)",
      "CREATE TABLE approvals (resource_id TEXT NOT NULL, approver TEXT NOT NULL, PRIMARY KEY (resource_id, approver))",
      "CREATE TABLE sender_nonces (sender TEXT PRIMARY KEY, nonce BIGINT NOT NULL)",
      "CREATE TABLE audit (height BIGINT NOT NULL, seq INTEGER NOT NULL, timestamp BIGINT NOT NULL, "
          + "tx_hash TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, "
          + "reason TEXT NOT NULL, PRIMARY KEY (height, seq))",
      "CREATE INDEX audit_target ON audit (target)")),
      new Migration(2, "used invites", List.of(
          "CREATE TABLE used_invites (invite_id TEXT PRIMARY KEY, height BIGINT NOT NULL)")));

  private static final String OPEN = "open";
  private final Database db;
  private final SignatureCheck signatures;
  private GovernanceState state;
  /** The state before the head block (the genesis state at height 0): who voted on the head. */
  private GovernanceState parentState;
  private Future<?> tail = Future.succeededFuture();
  /** Blocks applied in memory whose write has not finished yet; reads see them (see {@link #applyNow}). */
  private final java.util.concurrent.ConcurrentSkipListMap<Long, Block> unwritten =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  private final org.kinmesh.store.WriteHealth writeHealth;
  /** Set by {@link #stopRetrying}: a write that fails then is given up (the node is stopping). */
  private volatile boolean giveUp;
  private volatile Throwable gaveUp;
  private long retryTimer = -1;
  private io.vertx.core.Promise<Void> retrying;

  private LedgerStore(Database db, SignatureCheck signatures) {
    this.db = db;
    this.signatures = signatures;
    this.writeHealth = new org.kinmesh.store.WriteHealth(db.file(),
        "the write is retried, and the blocks committed meanwhile are kept in memory and written in order");
  }

  /**
   * Opens the ledger: stores the genesis if the database is empty (or checks it matches), then
   * rebuilds every derived table from the stored blocks.
   */
  public static Future<LedgerStore> open(Database db, Block genesis) {
    return open(db, genesis, SignatureCheck.ALWAYS);
  }

  /** As {@link #open(Database, Block)}; appended blocks' transaction signatures are checked through {@code sig}. */
  public static Future<LedgerStore> open(Database db, Block genesis, SignatureCheck sig) {
    LedgerStore store = new LedgerStore(db, sig);
    return store.serial(() -> store.initialize(genesis)).map(store);
  }

  /** The state before the head block: its membership signed the head's commit certificate. */
  public GovernanceState parentState() {
    return parentState;
  }

  /** The in-memory state as of the last appended block. */
  public GovernanceState state() {
    return state;
  }

  public Database database() {
    return db;
  }

  /** Validates and applies a committed block, then stores it with its effects in one transaction. */
  public Future<Ledger.Applied> append(Block block) {
    Applying a;
    try {
      a = applyNow(block);
    } catch (InvalidBlockException | IllegalStateException e) {
      return Future.failedFuture(e);
    }
    return a.durable().map(a.applied());
  }

  /** {@link Ledger#apply} of {@code block} on {@code from}: what judging a proposal computed already. */
  public record DryRun(GovernanceState from, Block block, Ledger.Applied applied) {
    boolean matches(GovernanceState state, Block other) {
      return from == state && block.hash().equals(other.hash()) && block.transactions().equals(other.transactions())
          && block.timestamp() == other.timestamp();
    }
  }

  /** Applies a block to the current state without storing anything: a proposal's dry run. */
  public DryRun dryRun(Block block) throws InvalidBlockException {
    GovernanceState from = state;
    return new DryRun(from, block, Ledger.apply(from, block, signatures));
  }

  /** A block applied in memory, and its write to the database. */
  public record Applying(Ledger.Applied applied, Future<Void> durable) {}

  /**
   * Validates a committed block and applies it to the in-memory state at once, then writes it
   * (block, transactions, derived tables, audit) in one database transaction after the writes
   * queued before it. Consensus moves on to the next height without waiting for the disk: a
   * committed block is final by its certificate, and a node that crashes before the write simply
   * has that block to fetch again after restart (the stored chain always ends in a whole block).
   * Until the write is done, {@link #blockAt} answers from memory. If a write fails (a full disk),
   * it is retried with backoff until it goes through, and later writes wait behind it (the store
   * never gets a gap); the caller limits how many blocks may wait (LedgerVerticle.MAX_UNWRITTEN).
   *
   * @throws InvalidBlockException the block does not extend the state (nothing changed)
   * @throws IllegalStateException the store is stopping and a write was given up
   */
  public Applying applyNow(Block block) throws InvalidBlockException {
    return applyNow(block, null);
  }

  /**
   * As {@link #applyNow(Block)}, reusing a dry run of the same block on the current state (the one
   * that judged the proposal) instead of applying it a second time; any other dry run is ignored.
   */
  public Applying applyNow(Block block, DryRun dryRun) throws InvalidBlockException {
    Throwable failed = gaveUp;
    if (failed != null) {
      throw new IllegalStateException("the ledger is closing and a block could not be stored: " + failed.getMessage(),
          failed);
    }
    GovernanceState before = state;
    Ledger.Applied applied = dryRun != null && dryRun.matches(before, block) ? dryRun.applied()
        : Ledger.apply(before, block, signatures);
    state = applied.state();
    parentState = before;
    unwritten.put(block.height(), block);
    Future<Void> durable = serial(() -> writeRetrying(block, () -> db.pool().withTransaction(conn ->
        insertBlock(conn, block)
            .compose(v -> writeState(conn, before, applied.state()))
            .compose(v -> insertAudit(conn, applied.audit())))))
        .<Void>mapEmpty().onSuccess(v -> unwritten.remove(block.height()));
    return new Applying(applied, durable);
  }

  /**
   * Runs a block's write until it goes through: a failure (a full disk above all) is recorded in
   * {@link #writeHealth()}, logged with what to do, and retried with backoff; the writes queued
   * behind it wait, so the store never gets a gap and nothing applied is lost. Only
   * {@link #stopRetrying} ends the retries.
   */
  private Future<Void> writeRetrying(Block block, java.util.function.Supplier<Future<Void>> write) {
    if (gaveUp != null) {
      return Future.failedFuture(gaveUp);
    }
    return write.get().transform(ar -> {
      if (ar.succeeded()) {
        if (writeHealth.succeeded()) {
          LOG.info("op=ledger_write height={} stored again; the ledger is writable ({} blocks waited in memory)",
              block.height(), unwritten.size());
        }
        return Future.succeededFuture();
      }
      long delay = writeHealth.failed(ar.cause(), System.currentTimeMillis());
      int inARow = writeHealth.failuresInARow();
      if (inARow == 1 || inARow % 20 == 0) {
        LOG.warn("op=ledger_write height={} failed ({} in a row): {}. Committed blocks wait in memory ({} now) and"
            + " are written in order once it goes through", block.height(), inARow, writeHealth.status().message(),
            unwritten.size());
      }
      if (giveUp) {
        gaveUp = ar.cause();
        return Future.failedFuture(ar.cause());
      }
      io.vertx.core.Promise<Void> again = io.vertx.core.Promise.promise();
      synchronized (this) {
        retrying = again;
        retryTimer = db.vertx().setTimer(org.kinmesh.util.Jitter.around(delay, 0.2), t -> {
          synchronized (this) {
            retryTimer = -1;
            retrying = null;
          }
          db.rollbackOpenTransaction().compose(v -> writeRetrying(block, write)).onComplete(again);
        });
      }
      return again.future();
    });
  }

  /** Whether writes go through (a full disk shows here), for /health and /status. */
  public org.kinmesh.store.WriteHealth.Status writeHealth() {
    return writeHealth.status();
  }

  /**
   * Stops retrying failed writes (the node is stopping): a write waiting for its retry fails now,
   * so {@link #drained} completes; the blocks it held are fetched again from peers after restart.
   */
  public void stopRetrying() {
    giveUp = true;
    io.vertx.core.Promise<Void> p;
    synchronized (this) {
      if (retryTimer >= 0) {
        db.vertx().cancelTimer(retryTimer);
        retryTimer = -1;
      }
      p = retrying;
      retrying = null;
    }
    if (p != null) {
      Throwable why = new IllegalStateException("stopped while the write was failing: "
          + writeHealth.status().message());
      gaveUp = why;
      p.tryFail(why);
    }
  }

  /** Blocks applied but not yet on disk. */
  public int unwrittenCount() {
    return unwritten.size();
  }

  /** Completes once every write queued so far is done (or failed); a clean shutdown waits for it. */
  public Future<Void> drained() {
    return serial(() -> Future.succeededFuture()).mapEmpty();
  }

  /** Rebuilds every derived table from the stored blocks; running it twice changes nothing. */
  public Future<GovernanceState> rebuild() {
    return serial(this::rebuildNow);
  }

  private Future<Void> initialize(Block genesis) {
    return db.pool().preparedQuery("SELECT hash FROM blocks WHERE height = 0").execute().compose(rows -> {
      if (rows.size() > 0) {
        String stored = rows.iterator().next().getString("hash");
        if (!stored.equals(genesis.hash())) {
          return Future.failedFuture(new IllegalStateException("database holds genesis " + stored
              + ", not " + genesis.hash()));
        }
        return Future.succeededFuture();
      }
      try {
        Ledger.genesis(genesis);
      } catch (InvalidBlockException e) {
        return Future.failedFuture(e);
      }
      return db.pool().withTransaction(conn -> insertBlock(conn, genesis));
    }).compose(v -> rebuildNow()).mapEmpty();
  }

  private Future<GovernanceState> rebuildNow() {
    return db.pool().query("SELECT body FROM blocks ORDER BY height").execute().compose(rows -> {
      List<AuditEntry> audit = new ArrayList<>();
      GovernanceState s = null;
      GovernanceState parent = null;
      try {
        for (Row r : rows) {
          Block b = Block.parse(r.getString("body").getBytes(StandardCharsets.UTF_8));
          Ledger.Applied a = s == null ? Ledger.genesis(b) : Ledger.apply(s, b);
          parent = s == null ? a.state() : s;
          s = a.state();
          audit.addAll(a.audit());
        }
      } catch (WireException | InvalidBlockException e) {
        return Future.failedFuture(new IllegalStateException("stored chain does not replay: " + e.getMessage(), e));
      }
      if (s == null) {
        return Future.failedFuture(new IllegalStateException("no genesis block stored"));
      }
      GovernanceState rebuilt = s;
      GovernanceState rebuiltParent = parent;
      GovernanceState empty = new GovernanceState.Builder(rebuilt.params()).build();
      return db.pool().withTransaction(conn -> clearDerived(conn)
              .compose(v -> writeState(conn, empty, rebuilt))
              .compose(v -> insertAudit(conn, audit)))
          .map(v -> {
            if (unwritten.isEmpty()) {
              parentState = rebuiltParent;
              state = rebuilt; // else blocks applied meanwhile are ahead of the tables read here
            }
            return rebuilt;
          });
    });
  }

  // ---- queries (answered from the tables) ----

  /** The stored block at a height (with its commit certificate), or null past the head. */
  public Future<Block> blockAt(long height) {
    Block pending = unwritten.get(height);
    if (pending != null) {
      return Future.succeededFuture(pending);
    }
    return db.pool().preparedQuery("SELECT body FROM blocks WHERE height = ?").execute(io.vertx.sqlclient.Tuple.of(height))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          try {
            return Future.succeededFuture(Block.parse(rows.iterator().next().getString("body")
                .getBytes(StandardCharsets.UTF_8)));
          } catch (WireException e) {
            return Future.failedFuture(new IllegalStateException("stored block " + height + " does not parse", e));
          }
        });
  }

  /**
   * Committed transactions by hash (what a peer asks for to fill in a compact block): those still
   * in memory first, then the stored ones. Unknown hashes are simply absent from the answer.
   */
  public Future<List<Transaction>> transactions(List<String> hashes) {
    List<Transaction> out = new ArrayList<>();
    java.util.Set<String> wanted = new java.util.LinkedHashSet<>(hashes);
    for (Block b : unwritten.values()) {
      for (Transaction tx : b.transactions()) {
        if (wanted.remove(tx.hash())) {
          out.add(tx);
        }
      }
    }
    if (wanted.isEmpty()) {
      return Future.succeededFuture(out);
    }
    List<String> ask = List.copyOf(wanted);
    String marks = String.join(", ", java.util.Collections.nCopies(ask.size(), "?"));
    return db.pool().preparedQuery("SELECT body FROM transactions WHERE hash IN (" + marks + ")")
        .execute(Tuple.wrap(new ArrayList<Object>(ask))).compose(rows -> {
          try {
            for (Row r : rows) {
              out.add(Transaction.parse(r.getString("body").getBytes(StandardCharsets.UTF_8)));
            }
          } catch (WireException e) {
            return Future.failedFuture(new IllegalStateException("a stored transaction does not parse", e));
          }
          return Future.succeededFuture(out);
        });
  }

  /** Where a committed transaction is: its block's height and hash. */
  public record Inclusion(long height, String blockHash) {}

  /** The block that committed this transaction (applied blocks not yet written included), or null. */
  public Future<Inclusion> inclusion(String txHash) {
    for (Block b : unwritten.values()) {
      for (Transaction tx : b.transactions()) {
        if (tx.hash().equals(txHash)) {
          return Future.succeededFuture(new Inclusion(b.height(), b.hash()));
        }
      }
    }
    return db.pool().preparedQuery("SELECT t.height, b.hash FROM transactions t JOIN blocks b ON b.height = t.height "
        + "WHERE t.hash = ?").execute(Tuple.of(txHash)).map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new Inclusion(r.getLong("height"), r.getString("hash"));
        });
  }

  public Future<List<String>> authorizedConsensusKeys() {
    return db.pool().query("SELECT pubkey FROM consensus_nodes WHERE is_consensus = 1 AND is_active = 1 "
        + "ORDER BY pubkey").execute().map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString("pubkey")));
          return out;
        });
  }

  public Future<Boolean> isAuthorized(String pubkey) {
    return db.pool().preparedQuery("SELECT 1 FROM consensus_nodes WHERE pubkey = ? AND is_active = 1")
        .execute(Tuple.of(pubkey)).map(rows -> rows.size() > 0);
  }

  public Future<Integer> activeConsensusCount() {
    return db.pool().query("SELECT COUNT(*) AS n FROM consensus_nodes WHERE is_consensus = 1 AND is_active = 1")
        .execute().map(rows -> rows.iterator().next().getInteger("n"));
  }

  /** Every governance event about a key, oldest first. */
  public Future<List<AuditEntry>> auditFor(String target) {
    return db.pool().preparedQuery("SELECT * FROM audit WHERE target = ? ORDER BY height, seq")
        .execute(Tuple.of(target)).map(LedgerStore::auditRows);
  }

  public Future<List<AuditEntry>> auditAll() {
    return db.pool().query("SELECT * FROM audit ORDER BY height, seq").execute().map(LedgerStore::auditRows);
  }

  private static List<AuditEntry> auditRows(io.vertx.sqlclient.RowSet<Row> rows) {
    List<AuditEntry> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new AuditEntry(r.getLong("height"), r.getInteger("seq"), r.getLong("timestamp"), r.getString("tx_hash"),
          r.getString("actor"), r.getString("action"), r.getString("target"), r.getString("reason")));
    }
    return out;
  }

  /** Reads the governance state back from the tables (the rebuild-equals-incremental check uses it). */
  public Future<GovernanceState> loadState() {
    return serial(() -> new StateLoader(db).load());
  }

  // ---- writes ----

  private static Future<Void> insertBlock(SqlConnection conn, Block b) {
    Future<Void> f = conn.preparedQuery("INSERT INTO blocks (height, hash, prev_hash, timestamp, proposer, tx_count, body)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(b.height(), b.hash(), b.prevHash(), b.timestamp(), b.proposer(), b.transactions().size(),
            new String(b.toJsonBytes(), StandardCharsets.UTF_8))).mapEmpty();
    if (b.transactions().isEmpty()) {
      return f;
    }
    List<Tuple> batch = new ArrayList<>();
    for (int i = 0; i < b.transactions().size(); i++) {
      Transaction tx = b.transactions().get(i);
      batch.add(Tuple.of(tx.hash(), b.height(), i, tx.type().wire(), tx.sender(), tx.nonce(), tx.timestamp(),
          tx.toJsonString()));
    }
    return f.compose(v -> conn.preparedQuery("INSERT INTO transactions (hash, height, idx, type, sender, nonce, "
        + "timestamp, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").executeBatch(batch).mapEmpty());
  }

  private static Future<Void> clearDerived(SqlConnection conn) {
    Future<Void> f = Future.succeededFuture();
    for (String table : List.of("consensus_nodes", "family_members", "proposals", "approvals", "sender_nonces",
        "audit", "used_invites")) {
      f = f.compose(v -> conn.query("DELETE FROM " + table).execute().mapEmpty());
    }
    return f;
  }

  /** Writes what changed between two states. */
  private static Future<Void> writeState(SqlConnection conn, GovernanceState old, GovernanceState now) {
    List<Tuple> nodes = new ArrayList<>();
    changed(old.nodes(), now.nodes()).forEach(n -> nodes.add(Tuple.of(n.nodeId(), n.pubkey(),
        n.consensusNode() ? 1 : 0, n.active() ? 1 : 0, n.status().wire(), n.registeredAt(), n.lastSeen(),
        n.suspendedUntil(), n.pendingResource())));
    List<Tuple> members = new ArrayList<>();
    changed(old.members(), now.members()).forEach(m -> members.add(Tuple.of(m.pubkey(), m.displayName(),
        m.role().wire(), m.addedAt())));
    List<Tuple> gone = new ArrayList<>();
    old.members().keySet().stream().filter(k -> !now.members().containsKey(k)).forEach(k -> gone.add(Tuple.of(k)));
    List<Tuple> proposals = new ArrayList<>();
    List<Tuple> approvals = new ArrayList<>();
    changed(old.proposals(), now.proposals()).forEach(p -> addProposal(p, OPEN, proposals, approvals));
    changed(old.closed(), now.closed()).forEach(c -> addProposal(c.proposal(), c.outcome().wire(), proposals,
        approvals));
    List<Tuple> nonces = new ArrayList<>();
    now.nonces().forEach((k, v) -> {
      if (!v.equals(old.nonces().get(k))) {
        nonces.add(Tuple.of(k, v));
      }
    });
    List<Tuple> invites = new ArrayList<>();
    now.usedInvites().stream().filter(id -> !old.usedInvites().contains(id))
        .forEach(id -> invites.add(Tuple.of(id, now.height())));
    // A removed key registered again may come back under another node_id: its old row goes first.
    List<Tuple> moved = new ArrayList<>();
    nodes.forEach(t -> moved.add(Tuple.of(t.getValue(1), t.getValue(0))));
    return batch(conn, "DELETE FROM consensus_nodes WHERE pubkey = ? AND node_id <> ?", moved)
        .compose(v -> batch(conn, "INSERT INTO consensus_nodes (node_id, pubkey, is_consensus, is_active, status, "
            + "registered_at, last_seen, suspended_until, pending_resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (node_id) DO UPDATE SET is_consensus = excluded.is_consensus, is_active = excluded.is_active, "
            + "status = excluded.status, registered_at = excluded.registered_at, last_seen = excluded.last_seen, "
            + "suspended_until = excluded.suspended_until, pending_resource = excluded.pending_resource", nodes))
        .compose(v -> batch(conn, "INSERT INTO family_members (pubkey, display_name, role, added_at) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (pubkey) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, "
            + "added_at = excluded.added_at", members))
        .compose(v -> batch(conn, "DELETE FROM family_members WHERE pubkey = ?", gone))
        .compose(v -> batch(conn, "INSERT INTO proposals (resource_id, author, created_at, expires_at, timelock, outcome) "
            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (resource_id) DO UPDATE SET outcome = excluded.outcome", proposals))
        .compose(v -> batch(conn, "INSERT INTO approvals (resource_id, approver) VALUES (?, ?) "
            + "ON CONFLICT (resource_id, approver) DO NOTHING", approvals))
        .compose(v -> batch(conn, "INSERT INTO sender_nonces (sender, nonce) VALUES (?, ?) ON CONFLICT (sender) "
            + "DO UPDATE SET nonce = excluded.nonce", nonces))
        .compose(v -> batch(conn, "INSERT INTO used_invites (invite_id, height) VALUES (?, ?) "
            + "ON CONFLICT (invite_id) DO NOTHING", invites));
  }

  private static void addProposal(Proposal p, String outcome, List<Tuple> proposals, List<Tuple> approvals) {
    proposals.add(Tuple.of(p.resourceId(), p.tx().sender(), p.createdAt(), p.expiresAt(), p.timelock() ? 1 : 0,
        outcome));
    p.approvers().forEach(a -> approvals.add(Tuple.of(p.resourceId(), a)));
  }

  private static <V> List<V> changed(Map<String, V> old, Map<String, V> now) {
    List<V> out = new ArrayList<>();
    now.forEach((k, v) -> {
      if (!Objects.equals(old.get(k), v)) {
        out.add(v);
      }
    });
    return out;
  }

  private static Future<Void> insertAudit(SqlConnection conn, List<AuditEntry> audit) {
    List<Tuple> rows = new ArrayList<>();
    for (AuditEntry a : audit) {
      rows.add(Tuple.of(a.height(), a.seq(), a.timestamp(), a.txHash(), a.actor(), a.action(), a.target(), a.reason()));
    }
    return batch(conn, "INSERT INTO audit (height, seq, timestamp, tx_hash, actor, action, target, reason) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows);
  }

  private static Future<Void> batch(SqlConnection conn, String sql, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }

  /** Runs operations one after another, in call order. */
  private synchronized <T> Future<T> serial(java.util.function.Supplier<Future<T>> op) {
    Future<T> next = tail.transform(ignored -> op.get());
    tail = next;
    return next;
  }

  /** Reads a GovernanceState from the derived tables. */
  private static final class StateLoader {
    private final Database db;

    StateLoader(Database db) {
      this.db = db;
    }

    Future<GovernanceState> load() {
      TreeMap<String, NodeRecord> nodes = new TreeMap<>();
      TreeMap<String, Member> members = new TreeMap<>();
      TreeMap<String, Proposal> open = new TreeMap<>();
      TreeMap<String, ClosedProposal> closed = new TreeMap<>();
      TreeMap<String, Long> nonces = new TreeMap<>();
      TreeMap<String, TreeSet<String>> approvers = new TreeMap<>();
      TreeSet<String> invites = new TreeSet<>();
      Object[] head = new Object[5];
      return q("SELECT hash, body FROM blocks WHERE height = 0").compose(rows -> {
        try {
          Row g = rows.iterator().next();
          head[4] = g.getString("hash");
          head[0] = Block.parse(g.getString("body").getBytes(StandardCharsets.UTF_8)).params();
        } catch (WireException e) {
          return Future.failedFuture(e);
        }
        return q("SELECT height, hash, timestamp FROM blocks ORDER BY height DESC LIMIT 1");
      }).compose(rows -> {
        Row r = rows.iterator().next();
        head[1] = r.getLong("height");
        head[2] = r.getString("hash");
        head[3] = r.getLong("timestamp");
        return q("SELECT * FROM consensus_nodes");
      }).compose(rows -> {
        for (Row r : rows) {
          nodes.put(r.getString("pubkey"), new NodeRecord(r.getString("pubkey"), r.getLong("node_id"),
              r.getInteger("is_consensus") == 1, NodeStatus.fromWire(r.getString("status")),
              r.getLong("registered_at"), r.getLong("last_seen"), r.getLong("suspended_until"),
              r.getString("pending_resource")));
        }
        return q("SELECT * FROM family_members");
      }).compose(rows -> {
        for (Row r : rows) {
          members.put(r.getString("pubkey"), new Member(r.getString("pubkey"), r.getString("display_name"),
              Role.valueOf(r.getString("role").toUpperCase(java.util.Locale.ROOT)), r.getLong("added_at")));
        }
        return q("SELECT sender, nonce FROM sender_nonces");
      }).compose(rows -> {
        rows.forEach(r -> nonces.put(r.getString("sender"), r.getLong("nonce")));
        return q("SELECT invite_id FROM used_invites");
      }).compose(rows -> {
        rows.forEach(r -> invites.add(r.getString("invite_id")));
        return q("SELECT resource_id, approver FROM approvals");
      }).compose(rows -> {
        rows.forEach(r -> approvers.computeIfAbsent(r.getString("resource_id"), k -> new TreeSet<>())
            .add(r.getString("approver")));
        return q("SELECT p.resource_id, p.created_at, p.expires_at, p.timelock, p.outcome, t.body FROM proposals p "
            + "JOIN transactions t ON t.hash = p.resource_id");
      }).compose(rows -> {
        try {
          for (Row r : rows) {
            String id = r.getString("resource_id");
            Transaction tx = Transaction.parse(r.getString("body").getBytes(StandardCharsets.UTF_8));
            Proposal p = new Proposal(id, tx, r.getLong("created_at"), r.getLong("expires_at"),
                approvers.getOrDefault(id, new TreeSet<>()), r.getInteger("timelock") == 1);
            String outcome = r.getString("outcome");
            if (outcome.equals(OPEN)) {
              open.put(id, p);
            } else {
              closed.put(id, new ClosedProposal(p, ProposalOutcome.valueOf(outcome.toUpperCase(java.util.Locale.ROOT))));
            }
          }
        } catch (WireException e) {
          return Future.failedFuture(e);
        }
        return Future.succeededFuture(new GovernanceState((ChainParams) head[0], (String) head[4], (Long) head[1],
            (String) head[2], (Long) head[3], nodes, members, open, closed, nonces, invites));
      });
    }

    private Future<io.vertx.sqlclient.RowSet<Row>> q(String sql) {
      return db.pool().query(sql).execute();
    }
  }
}
