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
import org.kinmesh.bus.LocalCodec;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.AuthorizedSet;
import org.kinmesh.chain.Block;
import org.kinmesh.node.link.LinkMessage;
import org.kinmesh.chain.CompactBlock;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.LedgerStore;
import org.kinmesh.chain.Mempool;
import org.kinmesh.chain.MempoolStore;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.SignatureCache;
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
 * It builds the primary's blocks from the mempool, judges proposed (compact) blocks against the
 * chain, filling in their transactions from the mempool or from peers, and applies committed
 * blocks: each one is applied, published, stored behind, and any change to the authorized set is
 * announced. One {@link SignatureCache} serves intake, building, judging and applying, so each
 * transaction's signature is verified once on this node.
 */
public final class LedgerVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public LedgerVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(LedgerVerticle.class);

  /** Kept for callers that skip ledger payloads on links; see {@link TxMessages}. */
  public static final String FORWARD_PREFIX = TxMessages.FORWARD_ONE;

  /** Failure codes on the bus. */
  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int UNAVAILABLE = 503;

  /**
   * After a forward goes out, newer transactions wait this long and go together: each link message
   * counts against the peer's rate limit (100 a second), so forwarding one by one would starve
   * consensus. The first transaction after a quiet spell goes at once.
   */
  static final long FORWARD_LINGER_MS = 20;
  /** How long a compact block waits for its transactions from the sender before anyone is asked. */
  static final long TX_FETCH_RETRY_MS = 1_000;
  /** ... and before it is answered "unavailable" (the replica asks again, or its view timer fires). */
  static final long TX_FETCH_GIVE_UP_MS = 3_000;
  /** Transactions one worker task verifies. */
  static final int VERIFY_CHUNK = 32;
  /**
   * The most committed blocks kept in memory ahead of the disk (a full disk, issue 13.3): at this
   * many, consensus holds its next height until the writes catch up ({@link Appended#unwritten},
   * {@code ledger.written}), so the node takes no part in new commits instead of growing without bound.
   */
  static final int MAX_UNWRITTEN = 32;

  /** The primary's block-building request: height, proposer, the previous commit's signers, time. */
  public record BuildRequest(long height, String proposer, List<String> signers, long time, boolean mustPropose,
      int maxTxs, long maxBytes) {}

  /** The block built and the state after it, or nulls when no transaction waits and none was required. */
  public record Built(Block block, GovernanceState after) {}

  /** A compact block to judge as the next one; {@code from} is where missing transactions are asked for. */
  public record ValidateRequest(CompactBlock block, String from) {}

  /**
   * The verdict on a compact block: when valid, the full block and the state after it (what
   * appending it will produce, so consensus can move on before the append is answered); why not
   * otherwise.
   */
  public record Validation(Verdict verdict, Block block, GovernanceState after, String reason) {
    public enum Verdict { VALID, INVALID, UNAVAILABLE }
  }

  /**
   * A committed block applied: the new state, how many transactions still wait, and how many
   * committed blocks (this one included) are not on disk yet.
   */
  public record Appended(long height, String hash, GovernanceState state, int pending, int unwritten) {}

  private final java.nio.file.Path dbFile;
  private final Block genesis;
  private final TimeSource clock;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final SignatureCache signatures = new SignatureCache();
  private final TxFetches<Message<ValidateRequest>> fetches = new TxFetches<>();
  private final List<String> outbox = new ArrayList<>();
  private final java.util.LinkedHashMap<String, LedgerStore.DryRun> dryRuns = new java.util.LinkedHashMap<>();
  /** Forwarded transactions waiting for the signature check on the worker (bounded by that queue). */
  private final java.util.HashMap<String, Transaction> arriving = new java.util.HashMap<>();
  private long blocksWaited;
  private long txsFetched;
  private long outboxTimer = -1;
  private long lastForwardMs = Long.MIN_VALUE / 2;
  private long fetchTimer = -1;
  /** The newest signature check queued on the worker; stop waits for the queue to drain. */
  private Future<Void> lastPreverify = Future.succeededFuture();
  private Database db;
  private Database mempoolDb;
  private MempoolStore mempoolStore;
  /**
   * Transactions a commit just rejected, with the reason, until mempool.db has the reason (kept if
   * that write fails): between leaving the mempool and the stored reason they are not unknown.
   */
  private final java.util.Map<String, String> rejecting = new java.util.HashMap<>();
  /** Hashes of the pending transactions this node accepted and stored (the others' origin stored them). */
  private final java.util.Set<String> stored = new java.util.HashSet<>();
  private LedgerStore store;
  private TransactionIntake intake;
  private List<String> lastAuthorized = List.of();
  private boolean stopping;

  public LedgerVerticle(java.nio.file.Path dbFile, Block genesis, TimeSource clock) {
    this.dbFile = dbFile;
    this.genesis = genesis;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, GovernanceState.class);
    LocalCodec.register(vertx, AuthorizedSet.class);
    LocalCodec.register(vertx, Block.class);
    LocalCodec.register(vertx, AuditEntries.class);
    LocalCodec.register(vertx, BuildRequest.class);
    LocalCodec.register(vertx, Built.class);
    LocalCodec.register(vertx, ValidateRequest.class);
    LocalCodec.register(vertx, Validation.class);
    LocalCodec.register(vertx, Appended.class);
    LocalCodec.register(vertx, Transaction.class);
    LocalCodec.register(vertx, LinkMessage.class);
    return Database.open(vertx, dbFile, LedgerStore.MIGRATIONS)
        .compose(database -> {
          db = database;
          return LedgerStore.open(db, genesis, signatures);
        })
        .compose(s -> {
          store = s;
          // The accepted transactions live beside the ledger, in their own file: their writes never
          // wait behind block writes.
          return Database.open(vertx, dbFile.resolveSibling("mempool.db"), MempoolStore.MIGRATIONS);
        })
        .compose(mdb -> {
          mempoolDb = mdb;
          mempoolStore = new MempoolStore(mdb);
          intake = new TransactionIntake(store::state, new Mempool(50_000, 64L << 20), clock, signatures);
          return reload();
        })
        .map(v -> {
          lastAuthorized = authorizedKeys(store.state());
          var bus = vertx.eventBus();
          consumers.add(bus.consumer(addresses.api().chainSubmit(), this::submit));
          consumers.add(bus.<LinkMessage>localConsumer(addresses.links().inbound(), this::fromPeer));
          consumers.add(bus.<JsonObject>consumer(addresses.api().peersEvents(), this::peerEvent));
          scheduleReforward();
          consumers.add(bus.localConsumer(addresses.chain().authorizedSetQuery(), m -> m.reply(AuthorizedSet.of(store.state()))));
          consumers.add(bus.localConsumer(addresses.ledger().state(), m -> m.reply(store.state())));
          consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().txStatus(), this::txStatus));
          consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().block(), this::block));
          consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().candidates(), this::candidates));
          consumers.add(bus.<Block>localConsumer(addresses.ledger().append(), this::append));
          consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().audit(), this::audit));
          consumers.add(bus.localConsumer(addresses.ledger().storage(), m -> m.reply(storageBody())));
          consumers.add(bus.localConsumer(addresses.ledger().parentState(), m -> m.reply(store.parentState())));
          consumers.add(bus.<BuildRequest>localConsumer(addresses.ledger().build(), this::build));
          consumers.add(bus.<ValidateRequest>localConsumer(addresses.ledger().validate(), this::validate));
          consumers.add(bus.localConsumer(addresses.ledger().stats(), m -> m.reply(new JsonObject().put("mempool", intake.mempool().size())
              .put("arriving", arriving.size()).put("unwritten_blocks", store.unwrittenCount())
              .put("blocks_waited_for_transactions", blocksWaited).put("transactions_fetched", txsFetched)
              .put("signature_cache", new JsonObject().put("size", signatures.size()).put("hits", signatures.hits())
                  .put("misses", signatures.misses())))));
          LOG.info("op=ledger_open chain={} height={} head={} authorized={}", genesis.blockchainId(),
              store.state().height(), store.state().headHash().substring(0, 12), lastAuthorized.size());
          return null;
        });
  }

  /**
   * The transactions this node accepted before it stopped or crashed go back into the mempool (and
   * out to the peers as their links come up); those committed meanwhile are forgotten, and those
   * that can no longer commit are recorded as rejected with the reason.
   */
  private Future<Void> reload() {
    return mempoolStore.pending().compose(txs -> {
      List<String> refused = new ArrayList<>();
      java.util.Map<String, String> reasons = new java.util.HashMap<>();
      for (Transaction tx : txs) {
        TransactionIntake.Outcome o = intake.submit(tx);
        if (o.queued()) {
          stored.add(tx.hash());
        } else {
          refused.add(tx.hash());
          reasons.put(tx.hash(), o.result().message());
        }
      }
      if (refused.isEmpty()) {
        logReload(txs.size(), 0, 0);
        return Future.succeededFuture();
      }
      return store.transactions(refused).compose(committed -> {
        List<String> done = committed.stream().map(Transaction::hash).toList();
        List<Mempool.Rejected> rejected = new ArrayList<>();
        for (Transaction tx : txs) {
          if (reasons.containsKey(tx.hash()) && !done.contains(tx.hash())) {
            rejected.add(new Mempool.Rejected(tx, "refused after restart: " + reasons.get(tx.hash())));
          }
        }
        rejected.forEach(r -> LOG.info("op=tx_rejected hash={} reason={}", r.tx().hash().substring(0, 12), r.reason()));
        logReload(txs.size() - refused.size(), done.size(), rejected.size());
        return mempoolStore.settle(done, rejected, clock.nowMillis());
      });
    });
  }

  private void logReload(int pending, int committed, int rejected) {
    if (pending + committed + rejected > 0) {
      LOG.info("op=mempool_reload pending={} committed_meanwhile={} rejected={}", pending, committed, rejected);
    }
  }

  /** Pending transactions sent again to a peer whose link just came up (it missed the first send). */
  private static final int REFORWARD_BATCH = 50;
  private long reforwardTimer = -1;

  private void peerEvent(Message<JsonObject> m) {
    if (m.body() != null && "up".equals(m.body().getString("event")) && m.body().getString("pubkey") != null) {
      for (String payload : TxMessages.forwards(jsonOf(intake.mempool().peek(REFORWARD_BATCH, 1L << 20)))) {
        vertx.eventBus().send(addresses.links().send(), LinkMessage.to(m.body().getString("pubkey"), utf8(payload)));
      }
    }
  }

  /** Every ~5 s (jittered) the oldest pending transactions go out again, in case a forward was lost. */
  private void scheduleReforward() {
    reforwardTimer = vertx.setTimer(org.kinmesh.util.Jitter.around(5_000, 0.2), id -> {
      for (String payload : TxMessages.forwards(jsonOf(intake.mempool().peek(REFORWARD_BATCH, 1L << 20)))) {
        vertx.eventBus().send(addresses.links().broadcast(), LinkMessage.broadcast(utf8(payload)));
      }
      scheduleReforward();
    });
  }

  private static List<String> jsonOf(List<Transaction> txs) {
    return txs.stream().map(TxMessages::json).toList();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    for (long t : new long[] {reforwardTimer, outboxTimer, fetchTimer}) {
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    // A clean stop writes every block already applied before the database closes (unless the disk
    // is full: then the blocks still waiting are given up, and fetched from peers after restart).
    if (store != null) {
      store.stopRetrying();
    }
    return Future.join(done).transform(v -> lastPreverify.otherwiseEmpty())
        .transform(v -> store == null ? Future.succeededFuture() : store.drained())
        .transform(v -> mempoolStore == null ? Future.succeededFuture() : mempoolStore.drained())
        .transform(v -> mempoolDb == null ? Future.succeededFuture() : mempoolDb.close())
        .transform(v -> db == null ? Future.succeededFuture() : db.close());
  }

  // ---- transactions in: the API, the event bus, peers ----

  /**
   * The public submit address. A {@link Transaction} (the HTTP and admin edges parse once and pass
   * it typed) is queued as it is; JSON text (String or Buffer) is parsed strictly here, its edge.
   * A JsonObject has already lost any duplicate keys to whoever built it, so it is taken as its
   * encoding (kept for hosts that send one; docs/embedding.md).
   */
  private void submit(Message<Object> m) {
    Transaction tx;
    try {
      Object body = m.body();
      if (body instanceof Transaction t) {
        tx = t;
      } else if (body instanceof String s) {
        tx = Transaction.parse(s.getBytes(StandardCharsets.UTF_8));
      } else if (body instanceof io.vertx.core.buffer.Buffer b) {
        tx = Transaction.parse(b.getBytes());
      } else if (body instanceof JsonObject o) {
        tx = Transaction.parse(o.encode().getBytes(StandardCharsets.UTF_8));
      } else {
        throw WireException.malformed("send the transaction as a Transaction, or its JSON text as a String or Buffer");
      }
    } catch (WireException e) {
      m.fail(BAD_REQUEST, error("malformed", e.getMessage()));
      return;
    }
    preverify(List.of(tx)).onComplete(v -> {
      if (!stopping) {
        queue(m, tx);
      }
    });
  }

  /**
   * Verifies signatures on worker threads, so a burst of submissions never holds up building,
   * judging and applying blocks on this event loop; chunks of a batch are checked in parallel (a
   * machine with more cores uses them). The returned future completes in arrival order, after every
   * earlier batch's, because a sender's nonces must reach the mempool in order. The verdicts land
   * in the signature cache, where intake then finds them.
   */
  private Future<Void> preverify(List<Transaction> txs) {
    if (txs.size() <= 2 && lastPreverify.isComplete()) {
      // A lone transaction on a quiet node: checking it here costs less than two thread hops.
      txs.forEach(signatures::valid);
      return Future.succeededFuture();
    }
    List<Future<Object>> chunks = new ArrayList<>();
    for (int i = 0; i < txs.size(); i += VERIFY_CHUNK) {
      List<Transaction> chunk = txs.subList(i, Math.min(txs.size(), i + VERIFY_CHUNK));
      chunks.add(vertx.executeBlocking(() -> {
        for (Transaction tx : chunk) {
          if (stopping) {
            break; // a stopping node just drains its queue
          }
          signatures.valid(tx);
        }
        return null;
      }, false));
    }
    Future<Void> verified = Future.join(chunks).mapEmpty();
    Future<Void> inOrder = lastPreverify.transform(v -> verified.otherwiseEmpty());
    lastPreverify = inOrder;
    return inOrder;
  }

  private void queue(Message<Object> m, Transaction tx) {
    boolean wasEmpty = intake.mempool().size() == 0;
    TransactionIntake.Outcome o = intake.submit(tx);
    switch (o.kind()) {
      case QUEUED -> {
        // Every consensus node gets it, so it is in the mempool of whichever node proposes next.
        forward(tx);
        announcePending(wasEmpty);
        // 202 only once it is on disk: a crash after the answer must not lose it.
        stored.add(tx.hash());
        mempoolStore.accept(tx, clock.nowMillis()).onComplete(ar -> {
          if (ar.succeeded()) {
            m.reply(new JsonObject().put("hash", o.hash())
                .put("validation", o.result().code().name().toLowerCase(java.util.Locale.ROOT)));
          } else {
            stored.remove(tx.hash());
            intake.mempool().drop(tx.hash());
            LOG.warn("op=submit hash={} could not be stored: {}; the sender was told to retry; check the disk"
                + " holding data_dir (free space, permissions)", tx.hash().substring(0, 12), ar.cause().getMessage());
            m.fail(UNAVAILABLE, error("unavailable", "the transaction could not be stored ("
                + ar.cause().getMessage() + "); it was not accepted, send it again later"));
          }
        });
      }
      case INVALID -> m.fail(BAD_REQUEST, error(o.result().code().name().toLowerCase(java.util.Locale.ROOT),
          o.result().message()));
      case MEMPOOL_FULL -> m.fail(UNAVAILABLE, error("limit_reached", o.result().message()));
    }
  }

  /** Tells an idle primary (its consensus host) that transactions wait; only when the mempool was empty. */
  private void announcePending(boolean wasEmpty) {
    if (wasEmpty && intake.mempool().size() > 0) {
      vertx.eventBus().publish(addresses.ledger().pending(), new JsonObject().put("pending", intake.mempool().size()));
    }
  }

  /** Queues a transaction for the other nodes; the first after a quiet spell goes at once. */
  private void forward(Transaction tx) {
    outbox.add(TxMessages.json(tx));
    if (outboxTimer >= 0) {
      return;
    }
    long wait = lastForwardMs + FORWARD_LINGER_MS - clock.nowMillis();
    if (wait <= 0) {
      flushForwards();
    } else {
      outboxTimer = vertx.setTimer(wait, t -> {
        outboxTimer = -1;
        flushForwards();
      });
    }
  }

  private void flushForwards() {
    if (outboxTimer >= 0) {
      vertx.cancelTimer(outboxTimer);
      outboxTimer = -1;
    }
    if (outbox.isEmpty() || stopping) {
      return;
    }
    lastForwardMs = clock.nowMillis();
    for (String payload : TxMessages.forwards(outbox)) {
      vertx.eventBus().send(addresses.links().broadcast(), LinkMessage.broadcast(utf8(payload)));
    }
    outbox.clear();
  }

  /** Ledger payloads from a peer: forwarded transactions (no re-forwarding: links are a full mesh), or a request. */
  /** A payload from a peer's link: a ledger one is parsed here, once, from its bytes. */
  private void fromPeer(Message<LinkMessage> m) {
    LinkMessage body = m.body();
    if (body == null || !TxMessages.isLedgerPayload(body)) {
      return;
    }
    String from = body.peer();
    try {
      if (TxMessages.isRequest(body)) {
        serveTxRequest(from, TxMessages.readRequest(body.payload()));
        return;
      }
      List<Transaction> txs = TxMessages.readForward(body.payload());
      for (Transaction tx : txs) {
        arriving.put(tx.hash(), tx);
        if (fetches.wants(tx.hash())) {
          txsFetched++;
        }
      }
      if (!fetches.waiting().isEmpty()) {
        completeWaiting(); // a block waiting for these need not wait for the queue below
      }
      preverify(txs).onComplete(v -> {
        if (!stopping) {
          forwarded(from, txs);
        }
      });
    } catch (WireException | RuntimeException e) {
      LOG.debug("op=forwarded_tx from={} malformed: {}", org.kinmesh.crypto.KeyIds.shortId(from), e.getMessage());
    }
  }

  private void forwarded(String from, List<Transaction> txs) {
    boolean wasEmpty = intake.mempool().size() == 0;
    boolean wanted = false;
    for (Transaction tx : txs) {
      arriving.remove(tx.hash());
      if (fetches.wants(tx.hash())) {
        fetches.arrived(tx);
        wanted = true;
      }
      TransactionIntake.Outcome o = intake.submit(tx);
      if (!o.queued() && o.result().code() != org.kinmesh.chain.ValidationResult.Code.DUPLICATE) {
        LOG.debug("op=forwarded_tx from={} refused: {}", org.kinmesh.crypto.KeyIds.shortId(from), o.result());
      }
    }
    announcePending(wasEmpty);
    if (wanted) {
      completeWaiting();
    }
  }

  /** Sends a peer the transactions it asked for that this node knows: pending, fetched, or committed. */
  private void serveTxRequest(String to, List<String> hashes) {
    List<String> found = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String h : hashes) {
      Transaction tx = intake.mempool().get(h);
      if (tx == null) {
        tx = fetches.get(h);
      }
      if (tx != null) {
        found.add(TxMessages.json(tx));
      } else {
        rest.add(h);
      }
    }
    Future<List<Transaction>> stored = rest.isEmpty() ? Future.succeededFuture(List.of()) : store.transactions(rest);
    stored.onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().forEach(tx -> found.add(TxMessages.json(tx)));
      }
      for (String payload : TxMessages.forwards(found)) {
        vertx.eventBus().send(addresses.links().send(), LinkMessage.to(to, utf8(payload)));
      }
    });
  }

  // ---- blocks: building, judging, applying ----

  /** The primary's next block: the mempool's oldest transactions that apply, in order. */
  private void build(Message<BuildRequest> m) {
    BuildRequest r = m.body();
    GovernanceState s = store.state();
    if (r.height() != s.height() + 1) {
      m.fail(CONFLICT, error("stale", "the chain is at " + s.height()));
      return;
    }
    long time = Math.max(s.time(), r.time());
    // A sender's transactions in nonce order, none past a fresh gap (docs/chain.md, "Pending transactions").
    List<Transaction> txs = Ledger.select(s, time, r.proposer(), r.signers(),
        intake.mempool().proposable(s, clock.nowMillis(), r.maxTxs(), r.maxBytes()), signatures);
    if (txs.isEmpty() && !r.mustPropose()) {
      m.reply(new Built(null, null));
      return;
    }
    String chain = genesis.blockchainId();
    Block block = Block.of(chain, r.height(), s.headHash(), time, r.proposer(), r.signers(), txs);
    LedgerStore.DryRun dry;
    try {
      dry = store.dryRun(block);
    } catch (InvalidBlockException | RuntimeException e) {
      LOG.warn("op=build_block height={} refused ({}); proposing an empty block; the pending transactions stay"
          + " in the mempool; if this repeats, report it with this line (a bug)", r.height(), e.getMessage());
      block = Block.of(chain, r.height(), s.headHash(), time, r.proposer(), r.signers(), List.of());
      try {
        dry = store.dryRun(block);
      } catch (InvalidBlockException | RuntimeException again) {
        m.fail(CONFLICT, error("invalid_block", String.valueOf(again.getMessage()))); // e.g. not a voter
        return;
      }
    }
    remember(dry);
    // The other nodes must hold these transactions before the proposal naming them arrives.
    flushForwards();
    m.reply(new Built(block, dry.applied().state()));
  }

  /**
   * Judges a compact block as the next one: fills in its transactions (mempool, then what was
   * fetched), asking {@code from} and later every peer for the rest, then applies it to the state
   * as a dry run. The answer waits for missing transactions at most {@link #TX_FETCH_GIVE_UP_MS}.
   */
  private void validate(Message<ValidateRequest> m) {
    CompactBlock cb = m.body().block();
    long next = store.state().height() + 1;
    if (cb.height() < next) {
      m.reply(new Validation(Validation.Verdict.INVALID, null, null, "height " + cb.height() + " is already committed"));
      return;
    }
    if (cb.height() > next) {
      m.reply(new Validation(Validation.Verdict.UNAVAILABLE, null, null, "the chain is at " + (next - 1)));
      return;
    }
    CompactBlock.Resolved r;
    try {
      r = cb.resolve(this::lookup);
    } catch (IllegalStateException e) {
      m.reply(new Validation(Validation.Verdict.INVALID, null, null, String.valueOf(e.getMessage())));
      return;
    }
    if (r.complete()) {
      m.reply(judge(r.block()));
      return;
    }
    TxFetches.Waiting<Message<ValidateRequest>> w = fetches.add(cb, m, m.body().from(), r.missing(), clock.nowMillis());
    if (w == null) {
      m.reply(new Validation(Validation.Verdict.UNAVAILABLE, null, null, "too many blocks wait for transactions"));
      return;
    }
    blocksWaited++;
    LOG.debug("op=tx_fetch height={} missing={} from={}", cb.height(), r.missing().size(),
        org.kinmesh.crypto.KeyIds.shortId(m.body().from()));
    askFor(r.missing(), m.body().from());
    scheduleFetchCheck();
  }

  /**
   * A transaction a block names: pending in the mempool, fetched for a block, or just arrived and
   * still queued for its signature check (judging the block checks it then, once, through the cache).
   */
  private Transaction lookup(String hash) {
    Transaction tx = intake.mempool().get(hash);
    if (tx == null) {
      tx = fetches.get(hash);
    }
    return tx != null ? tx : arriving.get(hash);
  }

  private Validation judge(Block block) {
    try {
      LedgerStore.DryRun dry = store.dryRun(block);
      remember(dry);
      return new Validation(Validation.Verdict.VALID, block, dry.applied().state(), null);
    } catch (InvalidBlockException | RuntimeException e) {
      return new Validation(Validation.Verdict.INVALID, null, null, String.valueOf(e.getMessage()));
    }
  }

  /** The last few dry runs, so appending a block this node judged does not apply it twice. */
  private void remember(LedgerStore.DryRun d) {
    dryRuns.put(d.block().hash(), d);
    while (dryRuns.size() > 4) {
      dryRuns.remove(dryRuns.keySet().iterator().next());
    }
  }

  private static byte[] utf8(String payload) {
    return payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private void askFor(List<String> hashes, String from) {
    for (String payload : TxMessages.requests(hashes)) {
      if (from != null) {
        vertx.eventBus().send(addresses.links().send(), LinkMessage.to(from, utf8(payload)));
      } else {
        vertx.eventBus().send(addresses.links().broadcast(), LinkMessage.broadcast(utf8(payload)));
      }
    }
  }

  private void completeWaiting() {
    long next = store.state().height() + 1;
    for (TxFetches.Waiting<Message<ValidateRequest>> w : fetches.complete(this::lookup)) {
      if (w.block.height() != next) {
        w.request.reply(new Validation(Validation.Verdict.UNAVAILABLE, null, null, "the chain moved on"));
        continue;
      }
      try {
        CompactBlock.Resolved r = w.block.resolve(this::lookup);
        w.request.reply(r.complete() ? judge(r.block())
            : new Validation(Validation.Verdict.UNAVAILABLE, null, null, "transactions missing"));
      } catch (IllegalStateException e) {
        w.request.reply(new Validation(Validation.Verdict.INVALID, null, null, String.valueOf(e.getMessage())));
      }
    }
  }

  /** Blocks still missing transactions: after a while ask everyone, later give up on them. */
  private void scheduleFetchCheck() {
    if (fetchTimer >= 0) {
      return;
    }
    fetchTimer = vertx.setTimer(TX_FETCH_RETRY_MS / 2, t -> {
      fetchTimer = -1;
      long now = clock.nowMillis();
      for (TxFetches.Waiting<Message<ValidateRequest>> w : fetches.expired(now, TX_FETCH_GIVE_UP_MS)) {
        LOG.info("op=tx_fetch height={} gave up: {} transactions never arrived", w.block.height(), w.missing.size());
        w.request.reply(new Validation(Validation.Verdict.UNAVAILABLE, null, null, w.missing.size()
            + " transactions could not be fetched"));
      }
      for (TxFetches.Waiting<Message<ValidateRequest>> w : fetches.waiting()) {
        if (!w.askedEveryone && now - w.since >= TX_FETCH_RETRY_MS) {
          w.askedEveryone = true;
          askFor(List.copyOf(w.missing), null);
        }
      }
      if (!fetches.waiting().isEmpty() && !stopping) {
        scheduleFetchCheck();
      }
    });
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
      txs.add(new JsonObject(tx.toJsonString()));
    }
    m.reply(new JsonObject().put("transactions", txs));
  }

  /**
   * A committed block: applied to the state at once, published, and written to SQLite behind it in
   * order (LedgerStore.applyNow). The reply does not wait for the disk; it says how many blocks
   * are unwritten, and each write made while {@link #MAX_UNWRITTEN} were waiting is announced on
   * {@code ledger.written}, for consensus to resume.
   */
  private void append(Message<Block> m) {
    Block block = m.body();
    LedgerStore.Applying applying;
    try {
      applying = store.applyNow(block, dryRuns.remove(block.hash()));
    } catch (InvalidBlockException | IllegalStateException e) {
      LOG.warn("op=append height={} refused: {}; this node stops committing: move data_dir aside and let it"
          + " catch up from its peers, and report this line (a bug or a damaged ledger)", block.height(),
          e.getMessage());
      m.fail(CONFLICT, error("invalid_block", String.valueOf(e.getMessage())));
      return;
    }
    Ledger.Applied applied = applying.applied();
    settle(block, intake.mempool().onCommitted(block, applied.state()));
    fetches.committed(block.transactions());
    applying.durable().onFailure(e -> LOG.warn("op=append height={} not stored as the node stops: {};"
        + " nothing to do: it is fetched from the peers at the next start",
        block.height(), e.getMessage()));
    vertx.eventBus().publish(addresses.api().chainCommitted(), committedBody(block));
    List<String> keys = authorizedKeys(applied.state());
    if (!keys.equals(lastAuthorized)) {
      lastAuthorized = keys;
      LOG.info("op=authorized_set height={} keys={}", block.height(), keys.size());
      vertx.eventBus().publish(addresses.chain().authorizedSet(), AuthorizedSet.of(applied.state()));
    }
    int unwritten = store.unwrittenCount();
    applying.durable().onSuccess(v -> {
      int left = store.unwrittenCount();
      if (left + 1 >= MAX_UNWRITTEN) {
        // A write at the bound: consensus may be holding a height for it. Each one is announced,
        // so commits go on at the disk's pace rather than after the whole backlog is written.
        vertx.eventBus().publish(addresses.ledger().written(), new JsonObject().put("unwritten", left));
      }
    });
    m.reply(new Appended(block.height(), block.hash(), applied.state(), intake.mempool().size(), unwritten));
  }

  private JsonObject storageBody() {
    org.kinmesh.store.WriteHealth.Status h = store.writeHealth();
    JsonObject o = new JsonObject().put("ok", h.ok()).put("write_failures", h.writeFailures())
        .put("recoveries", h.recoveries()).put("unwritten_blocks", store.unwrittenCount())
        .put("max_unwritten_blocks", MAX_UNWRITTEN).put("commits_paused", store.unwrittenCount() >= MAX_UNWRITTEN)
        .put("db_path", dbFile.toAbsolutePath().toString());
    if (!h.ok()) {
      String message = store.unwrittenCount() < MAX_UNWRITTEN ? h.message() : h.message() + ". " + MAX_UNWRITTEN
          + " committed blocks wait in memory, the most this node holds: it takes no part in new commits until"
          + " they are written, then catches up by itself";
      o.put("reason", h.reason()).put("message", message).put("failing_since_ms", h.failingSinceMs());
    }
    return o;
  }

  /** The stored accepted transactions that this block committed, or that can no longer commit, leave the disk. */
  private void settle(Block block, List<Mempool.Rejected> rejected) {
    List<String> done = new ArrayList<>();
    for (Transaction tx : block.transactions()) {
      if (stored.remove(tx.hash())) {
        done.add(tx.hash());
      }
    }
    for (Mempool.Rejected r : rejected) {
      stored.remove(r.tx().hash());
      rejecting.put(r.tx().hash(), r.reason());
      LOG.info("op=tx_rejected hash={} reason={}", r.tx().hash().substring(0, 12), r.reason());
    }
    mempoolStore.settle(done, rejected, clock.nowMillis()).onComplete(ar -> {
      if (ar.succeeded()) {
        rejected.forEach(r -> rejecting.remove(r.tx().hash()));
      } else {
        // Kept in memory, so the status still says why until the start-up check stores it.
        LOG.warn("op=mempool_settle height={} could not be stored: {} (the start-up check redoes it)",
            block.height(), ar.cause().getMessage());
      }
    });
  }

  /** Where a transaction stands on this node: committed (where), pending, or rejected (why). */
  private void txStatus(Message<JsonObject> m) {
    String hash = m.body() == null ? null : m.body().getString("hash");
    if (hash == null || !org.kinmesh.crypto.Hex.isLowerHex(hash, 32)) {
      m.fail(BAD_REQUEST, error("malformed", "a transaction hash is 64 lowercase hex characters"));
      return;
    }
    // One instant decides: what is pending or just rejected is read in the same event-loop turn as
    // the applied blocks not yet written (inclusion reads those at once), because a block applied
    // while the database read below is out takes the transaction out of the mempool. Reading the
    // mempool after that read answered 404 for a transaction just committed (docs/chain.md).
    boolean pending = intake.mempool().contains(hash) || arriving.containsKey(hash);
    String rejectedWhy = rejecting.get(hash);
    store.inclusion(hash).compose(in -> {
      if (in != null) {
        return Future.succeededFuture(new JsonObject().put("hash", hash).put("status", "committed")
            .put("height", in.height()).put("block", in.blockHash()));
      }
      if (pending || intake.mempool().contains(hash) || arriving.containsKey(hash)) {
        return Future.succeededFuture(new JsonObject().put("hash", hash).put("status", "pending"));
      }
      String why = rejectedWhy != null ? rejectedWhy : rejecting.get(hash);
      Future<String> reason = why != null ? Future.succeededFuture(why) : mempoolStore.rejection(hash);
      return reason.map(r -> r == null ? null
          : new JsonObject().put("hash", hash).put("status", "rejected").put("reason", r));
    }).onComplete(ar -> {
      if (ar.failed()) {
        m.fail(500, error("internal", "cannot read the transaction's status"));
      } else if (ar.result() == null) {
        m.fail(NOT_FOUND, error("not_found", "no transaction " + hash + " is known to this node"));
      } else {
        m.reply(ar.result());
      }
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
    JsonArray txs = new JsonArray(new ArrayList<>(b.transactions().size()));
    for (Transaction tx : b.transactions()) {
      // Built from the transaction's own fields: printing its JSON and parsing it back cost every
      // node ~5 % of its non-signature CPU per committed transaction (BENCHMARKS.md, issue 14).
      txs.add(JsonTrees.object(tx.toJson()));
    }
    return new JsonObject().put("height", b.height()).put("hash", b.hash()).put("prev_hash", b.prevHash())
        .put("proposer", b.proposer()).put("timestamp", b.timestamp()).put("transactions", txs);
  }

  static List<String> authorizedKeys(GovernanceState s) {
    return s.authorizedConsensusNodes().stream().map(NodeRecord::pubkey).toList();
  }

  static String error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }
}
