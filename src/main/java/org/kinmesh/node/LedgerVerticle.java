package org.kinmesh.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.LedgerStore;
import org.kinmesh.chain.Mempool;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.store.Database;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the chain: the ledger store on SQLite, the mempool and the transaction intake. Every
 * other verticle reaches them through the event bus (docs/embedding.md for the public part).
 * Committed blocks arrive from consensus; each one is applied, stored, published, and any
 * change to the authorized set is announced.
 */
public final class LedgerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerVerticle.class);

  /** request/reply, local: the current GovernanceState object. */
  public static final String STATE = "kinmesh.internal.ledger.state";
  /** request/reply: {"height"} → the block JSON, or failure 404. */
  public static final String BLOCK = "kinmesh.internal.ledger.block";
  /** request/reply: {"max_tx","max_bytes"} → {"transactions": [tx JSON...]} oldest first. */
  public static final String CANDIDATES = "kinmesh.internal.ledger.candidates";
  /** request/reply: a committed Block (local object) → {"height","hash"}, or failure 409 if it does not apply. */
  public static final String APPEND = "kinmesh.internal.ledger.append";
  /** request/reply: {"target"?} → {"entries": [...]}. */
  public static final String AUDIT = "kinmesh.internal.ledger.audit";

  /**
   * Links payloads that carry a transaction to the other nodes' mempools (whoever is primary
   * must have it), as opposed to consensus envelopes: {"forward_tx": TX}.
   */
  public static final String FORWARD_PREFIX = "{\"forward_tx\":";

  /** Failure codes on the bus. */
  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int UNAVAILABLE = 503;

  private final java.nio.file.Path dbFile;
  private final Block genesis;
  private final TimeSource clock;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Database db;
  private LedgerStore store;
  private TransactionIntake intake;
  private List<String> lastAuthorized = List.of();

  public LedgerVerticle(java.nio.file.Path dbFile, Block genesis, TimeSource clock) {
    this.dbFile = dbFile;
    this.genesis = genesis;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, GovernanceState.class);
    LocalCodec.register(vertx, Block.class);
    LocalCodec.register(vertx, AuditEntries.class);
    return Database.open(vertx, dbFile, LedgerStore.MIGRATIONS)
        .compose(database -> {
          db = database;
          return LedgerStore.open(db, genesis);
        })
        .map(s -> {
          store = s;
          intake = new TransactionIntake(store::state, new Mempool(50_000, 64L << 20), clock);
          lastAuthorized = authorizedKeys(store.state());
          var bus = vertx.eventBus();
          consumers.add(bus.consumer(Addresses.CHAIN_SUBMIT, this::submit));
          consumers.add(bus.<JsonObject>consumer(Addresses.LINKS_INBOUND, this::forwarded));
          consumers.add(bus.<JsonObject>consumer(Addresses.PEERS_EVENTS, this::peerEvent));
          scheduleReforward();
          consumers.add(bus.consumer(Addresses.AUTHORIZED_SET_QUERY, m -> m.reply(authorizedBody(store.state()))));
          consumers.add(bus.consumer(STATE, m -> m.reply(store.state())));
          consumers.add(bus.<JsonObject>consumer(BLOCK, this::block));
          consumers.add(bus.<JsonObject>consumer(CANDIDATES, this::candidates));
          consumers.add(bus.<Block>consumer(APPEND, this::append));
          consumers.add(bus.<JsonObject>consumer(AUDIT, this::audit));
          LOG.info("op=ledger_open chain={} height={} head={} authorized={}", genesis.blockchainId(),
              store.state().height(), store.state().headHash().substring(0, 12), lastAuthorized.size());
          return null;
        });
  }

  /** Pending transactions sent again to a peer whose link just came up (it missed the first send). */
  private static final int REFORWARD_BATCH = 50;
  private long reforwardTimer = -1;

  private void peerEvent(Message<JsonObject> m) {
    if (m.body() != null && "up".equals(m.body().getString("event")) && m.body().getString("pubkey") != null) {
      for (Transaction tx : intake.mempool().peek(REFORWARD_BATCH, 1L << 20)) {
        vertx.eventBus().send(Addresses.LINKS_SEND, new JsonObject().put("to", m.body().getString("pubkey"))
            .put("payload", forward(tx)));
      }
    }
  }

  /** Every ~5 s (jittered) the oldest pending transactions go out again, in case a forward was lost. */
  private void scheduleReforward() {
    reforwardTimer = vertx.setTimer(org.kinmesh.util.Jitter.around(5_000, 0.2), id -> {
      for (Transaction tx : intake.mempool().peek(REFORWARD_BATCH, 1L << 20)) {
        vertx.eventBus().send(Addresses.LINKS_BROADCAST, new JsonObject().put("payload", forward(tx)));
      }
      scheduleReforward();
    });
  }

  private static String forward(Transaction tx) {
    return FORWARD_PREFIX + new String(tx.toJsonBytes(), StandardCharsets.UTF_8) + "}";
  }

  @Override
  public Future<?> stop() {
    if (reforwardTimer >= 0) {
      vertx.cancelTimer(reforwardTimer);
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done).transform(v -> db == null ? Future.succeededFuture() : db.close());
  }

  private void submit(Message<Object> m) {
    byte[] bytes;
    Object body = m.body();
    if (body instanceof JsonObject o) {
      bytes = o.encode().getBytes(StandardCharsets.UTF_8);
    } else if (body instanceof String s) {
      bytes = s.getBytes(StandardCharsets.UTF_8);
    } else if (body instanceof io.vertx.core.buffer.Buffer b) {
      bytes = b.getBytes();
    } else {
      m.fail(BAD_REQUEST, error("malformed", "send the transaction as a JSON object"));
      return;
    }
    Transaction tx;
    try {
      tx = Transaction.parse(bytes);
    } catch (WireException e) {
      m.fail(BAD_REQUEST, error("malformed", e.getMessage()));
      return;
    }
    TransactionIntake.Outcome o = intake.submit(tx);
    switch (o.kind()) {
      case QUEUED -> {
        // Every consensus node gets it, so it is in the mempool of whichever node proposes next.
        vertx.eventBus().send(Addresses.LINKS_BROADCAST, new JsonObject().put("payload", forward(tx)));
        m.reply(new JsonObject().put("hash", o.hash())
            .put("validation", o.result().code().name().toLowerCase(java.util.Locale.ROOT)));
      }
      case INVALID -> m.fail(BAD_REQUEST, error(o.result().code().name().toLowerCase(java.util.Locale.ROOT),
          o.result().message()));
      case MEMPOOL_FULL -> m.fail(UNAVAILABLE, error("limit_reached", o.result().message()));
    }
  }

  /** A transaction a peer's node accepted: queue it here too (no re-forwarding: links are a full mesh). */
  private void forwarded(Message<JsonObject> m) {
    String payload = m.body() == null ? null : m.body().getString("payload");
    if (payload == null || !payload.startsWith(FORWARD_PREFIX)) {
      return;
    }
    try {
      var json = org.kinmesh.wire.StrictJson.parse(payload.getBytes(StandardCharsets.UTF_8));
      Transaction tx = Transaction.parse(json.get("forward_tx").toString().getBytes(StandardCharsets.UTF_8));
      TransactionIntake.Outcome o = intake.submit(tx);
      if (!o.queued() && o.result().code() != org.kinmesh.chain.ValidationResult.Code.DUPLICATE) {
        LOG.debug("op=forwarded_tx from={} refused: {}", org.kinmesh.crypto.KeyIds.shortId(m.body().getString("from")),
            o.result());
      }
    } catch (WireException | RuntimeException e) {
      LOG.debug("op=forwarded_tx malformed: {}", e.getMessage());
    }
  }

  private void block(Message<JsonObject> m) {
    Long height = m.body() == null ? null : m.body().getLong("height");
    if (height == null || height < 0) {
      m.fail(BAD_REQUEST, error("malformed", "height must be a non-negative integer"));
      return;
    }
    store.blockAt(height).onComplete(ar -> {
      if (ar.failed()) {
        m.fail(500, error("internal", "cannot read the block"));
      } else if (ar.result() == null) {
        m.fail(NOT_FOUND, error("not_found", "no block at height " + height));
      } else {
        m.reply(ar.result());
      }
    });
  }

  private void candidates(Message<JsonObject> m) {
    int maxTx = m.body() == null ? 1000 : m.body().getInteger("max_tx", 1000);
    long maxBytes = m.body() == null ? 1L << 20 : m.body().getLong("max_bytes", 1L << 20);
    JsonArray txs = new JsonArray();
    for (Transaction tx : intake.mempool().peek(maxTx, maxBytes)) {
      txs.add(new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8)));
    }
    m.reply(new JsonObject().put("transactions", txs));
  }

  private void append(Message<Block> m) {
    Block block = m.body();
    store.append(block).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("op=append height={} refused: {}", block.height(), ar.cause().getMessage());
        m.fail(CONFLICT, error("invalid_block", String.valueOf(ar.cause().getMessage())));
        return;
      }
      Ledger.Applied applied = ar.result();
      intake.mempool().onCommitted(block, applied.state());
      vertx.eventBus().publish(Addresses.CHAIN_COMMITTED, committedBody(block));
      List<String> keys = authorizedKeys(applied.state());
      if (!keys.equals(lastAuthorized)) {
        lastAuthorized = keys;
        LOG.info("op=authorized_set height={} keys={}", block.height(), keys.size());
        vertx.eventBus().publish(Addresses.AUTHORIZED_SET, authorizedBody(applied.state()));
      }
      m.reply(new JsonObject().put("height", block.height()).put("hash", block.hash()));
    });
  }

  private void audit(Message<JsonObject> m) {
    String target = m.body() == null ? null : m.body().getString("target");
    Future<List<AuditEntry>> f = target == null ? store.auditAll() : store.auditFor(target);
    f.onComplete(ar -> {
      if (ar.failed()) {
        m.fail(500, error("internal", "cannot read the audit log"));
      } else {
        m.reply(new AuditEntries(ar.result()));
      }
    });
  }

  /** The audit list as one local object. */
  public record AuditEntries(List<AuditEntry> entries) {}

  static JsonObject committedBody(Block b) {
    JsonArray txs = new JsonArray();
    for (Transaction tx : b.transactions()) {
      txs.add(new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8)));
    }
    return new JsonObject().put("height", b.height()).put("hash", b.hash()).put("prev_hash", b.prevHash())
        .put("proposer", b.proposer()).put("timestamp", b.timestamp()).put("transactions", txs);
  }

  static List<String> authorizedKeys(GovernanceState s) {
    return s.authorizedConsensusNodes().stream().map(NodeRecord::pubkey).toList();
  }

  static JsonObject authorizedBody(GovernanceState s) {
    return new JsonObject().put("height", s.height()).put("keys", new JsonArray(new ArrayList<Object>(authorizedKeys(s))));
  }

  static String error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }
}
