package org.kinmesh.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.chain.Block;
import org.kinmesh.node.link.LinkMessage;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.consensus.QuorumDecision;
import org.kinmesh.consensus.QuorumInput;
import org.kinmesh.consensus.QuorumMode;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.pbft.Action;
import org.kinmesh.consensus.pbft.CommitCertificate;
import org.kinmesh.consensus.pbft.Envelope;
import org.kinmesh.consensus.pbft.EnvelopeCodec;
import org.kinmesh.consensus.pbft.EnvelopeException;
import org.kinmesh.consensus.pbft.EnvelopeSigner;
import org.kinmesh.consensus.pbft.Event;
import org.kinmesh.consensus.pbft.Membership;
import org.kinmesh.consensus.pbft.PbftConfig;
import org.kinmesh.consensus.pbft.PhaseTrace;
import org.kinmesh.consensus.pbft.RejectReason;
import org.kinmesh.consensus.pbft.Replica;
import org.kinmesh.consensus.pbft.Signer;
import org.kinmesh.consensus.pbft.TimerId;
import org.kinmesh.consensus.pbft.Verdict;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.util.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the PBFT replica (docs/consensus.md): feeds it what Links delivered and what its
 * timers say, and carries out its actions: envelopes to Links, blocks built from the ledger's
 * mempool, committed blocks to the ledger. The replica is pure; this class is all of its I/O.
 * Events are handled one at a time on this verticle's event loop.
 */
public final class ConsensusVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public ConsensusVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(ConsensusVerticle.class);
  /**
   * Proposals are compact (header and transaction hashes, docs/consensus.md), so the envelope bounds
   * the count, not the bytes: a block's transactions may total up to 1 MiB of JSON.
   */
  private static final long MAX_BLOCK_TX_BYTES = 1L << 20;
  private static final int MAX_BLOCK_TXS = org.kinmesh.chain.CompactBlock.MAX_TXS_IN_ENVELOPE;
  /**
   * A peer counts as responding (for the quorum mode only) while its link is up and it was heard
   * from within this window.
   */
  private static final long RESPONDING_WINDOW_MS = 15_000;
  /** How often the quorum mode is re-evaluated (it tracks how long the strict quorum was unreachable). */
  private static final long QUORUM_CHECK_MS = 1_000;
  /** How often the one-line activity summary is logged (jittered ±10 %): empty blocks are not. */
  private static final long SUMMARY_MS = 10 * 60_000;
  /** Rejections that are normal lateness or redundancy in a healthy network: debug only. */
  private static final java.util.Set<RejectReason> ROUTINE = java.util.EnumSet.of(RejectReason.STALE,
      RejectReason.OLD_VIEW, RejectReason.DUPLICATE, RejectReason.OUT_OF_WINDOW);

  private final PbftConfig pbft;
  private final QuorumPolicy quorum;
  private final Identity identity;
  private final TimeSource clock;
  private final EnvelopeCodec codec;
  private final EnvelopeSigner signer;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Map<TimerId.Kind, Long> timers = new EnumMap<>(TimerId.Kind.class);
  private final Map<String, Long> lastHeard = new HashMap<>();
  /** Peers whose link is up (Links' PEERS_EVENTS, seeded from PEERS_STATUS at start). */
  private final java.util.Set<String> linked = new java.util.HashSet<>();
  private long quorumTimer = -1;
  private long summaryTimer = -1;
  private final ActivitySummary summary = new ActivitySummary(System.nanoTime() / 1_000_000);
  private QuorumMode lastMode;
  private Boolean lastVoting;
  private final Map<RejectReason, AtomicLong> rejected = new EnumMap<>(RejectReason.class);
  private final AtomicLong equivocations = new AtomicLong();
  /** Where each block's time goes on this node (status "phases_ms"; the benchmark prints it). */
  private final PhaseTrace phases = new PhaseTrace();
  /** View timeouts from the commit latency seen here: fed at each commit (docs/consensus.md). */
  private final org.kinmesh.consensus.pbft.AdaptiveViewTimeout viewTimeouts;
  /**
   * When the proposal of each height in flight reached this node: {view, nanoTime}. Only a block
   * committed in its proposal's view is a latency sample (one spanning a view change measures the
   * timeout, not the network, and would feed on itself).
   */
  private final java.util.TreeMap<Long, long[]> proposalSeen = new java.util.TreeMap<>();
  /** public_endpoint and nat_type for the status, from the Stun verticle. */
  private final org.kinmesh.stun.StunStatus stun = new org.kinmesh.stun.StunStatus();
  /** What this node sent and committed, by PBFT phase: the demo and test scripts check each. */
  private long proposed;
  private long prepareVotes;
  private long commitVotes;
  private long committedBlocks;
  private long emergencyBlocks;
  private long resent;
  private long viewChanges;
  /** Proposal seen to committed here, for blocks committed in their proposal's view (/metrics). */
  private final LatencyHistogram commitLatency = new LatencyHistogram();
  private long heightAtLastTick = -1;
  private Replica replica;
  private ProposalJudge judge;
  /** A BUILD request is out: the replica may ask again meanwhile (timer, TransactionsWaiting). */
  private boolean building;
  private GovernanceState state;
  private CommitCertificate lastCertificate;
  private Long strictUnreachableSince;
  private boolean stopping;
  /** Committed blocks the ledger may hold unwritten: at LedgerVerticle.MAX_UNWRITTEN the next height waits. */
  private final WriteBacklog backlog = new WriteBacklog(LedgerVerticle.MAX_UNWRITTEN);
  /** The Applied event held while the ledger's backlog is at its bound (a full disk), or null. */
  private Event.Applied heldApplied;

  public ConsensusVerticle(PbftConfig pbft, QuorumPolicy quorum, Identity identity, TimeSource clock) {
    this.pbft = pbft;
    this.quorum = quorum;
    this.identity = identity;
    this.clock = clock;
    this.codec = new EnvelopeCodec(pbft.blockchainId());
    this.signer = new EnvelopeSigner(pbft.blockchainId(), Signer.of(identity));
    this.viewTimeouts = new org.kinmesh.consensus.pbft.AdaptiveViewTimeout(pbft);
  }

  @Override
  public Future<?> start() {
    org.kinmesh.bus.LocalCodec.register(vertx, LinkMessage.class);
    return vertx.eventBus().<GovernanceState>request(addresses.ledger().state(), null).compose(m -> {
      state = m.body();
      return resume(state);
    }).map(resume -> {
      judge = new ProposalJudge(pbft.blockchainId(), quorum, clock);
      judge.committedAt(state.height(), state.time());
      replica = new Replica(pbft, Signer.of(identity), judge, viewTimeouts, resume);
      lastCertificate = resume.certificate();
      var bus = vertx.eventBus();
      consumers.add(bus.<LinkMessage>localConsumer(addresses.links().inbound(), m -> inbound(m.body())));
      consumers.add(bus.consumer(addresses.api().nodeStatus(), m -> m.reply(status())));
      consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().written(), m -> {
        Integer unwritten = m.body().getInteger("unwritten");
        if (unwritten != null) {
          backlog.written(unwritten);
          resumeIfWritten();
        }
      }));
      consumers.add(stun.follow(bus, addresses.stun()));
      consumers.add(bus.<JsonObject>consumer(addresses.api().peersEvents(), m -> peerEvent(m.body())));
      consumers.add(bus.<JsonObject>localConsumer(addresses.ledger().pending(), m -> {
        if (!stopping) {
          run(replica.handle(new Event.TransactionsWaiting()));
        }
      }));
      bus.<JsonObject>request(addresses.api().peersStatus(), new JsonObject()).onSuccess(m -> seedLinked(m.body()));
      scheduleQuorumCheck();
      scheduleSummary();
      run(replica.handle(new Event.Start()));
      LOG.info("op=consensus_start node={} height={} view={} members={} threshold={}", identity.shortId(),
          resume.height(), resume.view(), resume.membership().size(), resume.membership().threshold());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    timers.values().forEach(vertx::cancelTimer);
    if (quorumTimer >= 0) {
      vertx.cancelTimer(quorumTimer);
    }
    if (summaryTimer >= 0) {
      vertx.cancelTimer(summaryTimer);
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done);
  }

  /** Genesis, or the last committed block with its certificate. */
  private Future<Replica.Resume> resume(GovernanceState s) {
    Membership membership = membership(s);
    if (s.height() == 0) {
      return Future.succeededFuture(Replica.Resume.genesis(s.headHash(), membership));
    }
    var bus = vertx.eventBus();
    Future<Block> head = bus.<Block>request(addresses.ledger().block(), new JsonObject().put("height", s.height()))
        .map(m -> m.body());
    Future<GovernanceState> parent = bus.<GovernanceState>request(addresses.ledger().parentState(), null)
        .map(m -> m.body());
    Future<String> dbPath = bus.<JsonObject>request(addresses.ledger().storage(), null)
        .map(m -> m.body().getString("db_path", "the ledger database (data_dir/ledger.db)"));
    return Future.all(head, parent, dbPath).compose(all -> {
      String problem;
      try {
        CommitCertificate cert = codec.decodeCertificate(head.result().commitCertificate());
        java.util.Optional<String> wrong = HeadCertificateCheck.problem(cert, head.result(),
            membership(parent.result()));
        if (wrong.isEmpty()) {
          return Future.succeededFuture(new Replica.Resume(s.height(), s.headHash(), cert, cert.view(), membership));
        }
        problem = wrong.get();
      } catch (EnvelopeException | RuntimeException e) {
        problem = String.valueOf(e.getMessage());
      }
      String refusal = HeadCertificateCheck.refusal(s.height(), problem, dbPath.result());
      LOG.error("op=consensus_start {}", refusal);
      return Future.failedFuture(new IllegalStateException(refusal));
    });
  }

  private Membership membership(GovernanceState s) {
    return Membership.of(LedgerVerticle.authorizedKeys(s), quorum);
  }

  /** A payload from a peer's link: parsed here, once, from its bytes. */
  private void inbound(LinkMessage m) {
    if (stopping || m == null || TxMessages.isLedgerPayload(m)) {
      return; // transactions between mempools are the ledger's
    }
    String from = m.peer();
    Envelope e;
    try {
      e = codec.parse(m.payload());
      if (replica.isStale(e)) {
        // Still a sign of life from the peer (a lagging one sends nothing else): "from" is the
        // link's authenticated key, so it counts as heard without checking the envelope.
        lastHeard.put(from, clock.nowMillis());
        count(RejectReason.STALE, from, "height " + e.height() + " already committed");
        return;
      }
      e = codec.verified(e);
    } catch (EnvelopeException ex) {
      count(ex.reason(), from, ex.getMessage());
      return;
    }
    lastHeard.put(from, clock.nowMillis());
    if (e instanceof Envelope.PrePrepare pp) {
      phases.mark(pp.height(), PhaseTrace.Mark.PROPOSAL, System.nanoTime());
      if (pp.height() <= replica.committedHeight() + pbft.logWindow()) {
        proposalSeenAt(pp); // bounded: the log window only
      }
    }
    run(replica.handle(new Event.Received(e)));
  }

  private void run(List<Action> actions) {
    Host host = new Host();
    for (Action a : actions) {
      a.accept(host);
    }
    // Answers the host knew at once go in only after this batch, so that a later action of the
    // batch (a CancelTimer, say) cannot undo what the answer's own actions did.
    for (Event answer : host.answers) {
      if (!stopping) {
        run(replica.handle(answer));
      }
    }
  }

  /** Carries out the replica's actions: one method per type, so a new type does not compile here unhandled. */
  private final class Host implements Action.Handler {
    final List<Event> answers = new ArrayList<>();

    @Override
    public void broadcast(Action.Broadcast b) {
      countPhase(b.envelope());
      if (b.envelope() instanceof Envelope.PrePrepare pp) {
        proposalSeenAt(pp); // our own proposal
      }
      vertx.eventBus().send(addresses.links().broadcast(), LinkMessage.broadcast(codec.encode(b.envelope())));
    }

    @Override
    public void send(Action.Send s) {
      vertx.eventBus().send(addresses.links().send(), LinkMessage.to(s.to(), codec.encode(s.envelope())));
    }

    @Override
    public void committed(Action.Committed c) {
      phases.mark(c.height(), PhaseTrace.Mark.COMMITTED, System.nanoTime());
      long[] seen = proposalSeen.get(c.height());
      if (seen != null && seen[0] == c.view()) {
        long took = System.nanoTime() - seen[1];
        viewTimeouts.observe(took / 1_000_000);
        commitLatency.observeNanos(took);
      }
      proposalSeen.headMap(c.height(), true).clear();
      ConsensusVerticle.this.committed(c);
    }

    @Override
    public void buildBlock(Action.BuildBlock b) {
      ConsensusVerticle.this.buildBlock(b);
    }

    @Override
    public void validate(Action.Validate v) {
      Verdict verdict = ConsensusVerticle.this.validate(v);
      if (verdict != null) {
        answers.add(new Event.Validated(v.height(), v.digest(), v.proposal(), verdict));
      }
    }

    @Override
    public void serveFetch(Action.ServeFetch f) {
      ConsensusVerticle.this.serveFetch(f);
    }

    @Override
    public void startTimer(Action.StartTimer t) {
      ConsensusVerticle.this.startTimer(t.id(), t.delayMs());
    }

    @Override
    public void cancelTimer(Action.CancelTimer t) {
      Long id = timers.remove(t.kind());
      if (id != null) {
        vertx.cancelTimer(id);
      }
    }

    @Override
    public void reportEquivocation(Action.ReportEquivocation r) {
      equivocations.incrementAndGet();
      LOG.warn("op=equivocation sender={} view={} height={} digests={}/{}: that node signed two different blocks;"
          + " it is faulty or its key is stolen: a guardian should suspend it (kinmesh admin node suspend) and"
          + " check that machine", KeyIds.shortId(r.sender()), r.first().view(), r.first().height(),
          r.first().digest().substring(0, 12), r.second().digest().substring(0, 12));
      vertx.eventBus().publish(addresses.api().peersEvents(), new JsonObject().put("event", "equivocation")
          .put("pubkey", r.sender()).put("view", r.first().view()).put("height", r.first().height()));
    }

    @Override
    public void rejected(Action.Rejected r) {
      count(r.reason(), r.sender(), r.detail());
    }

    @Override
    public void viewChanged(Action.ViewChanged v) {
      summary.viewChanged();
      viewChanges++;
      LOG.info("op=view_change view={} primary={}", v.view(), KeyIds.shortId(v.primary()));
    }
  }

  /** The first proposal of each (height, view) starts its latency clock. */
  private void proposalSeenAt(Envelope.PrePrepare pp) {
    proposalSeen.compute(pp.height(), (h, had) -> had != null && had[0] == pp.view() ? had
        : new long[] {pp.view(), System.nanoTime()});
  }

  private void countPhase(Envelope e) {
    if (e instanceof Envelope.PrePrepare) {
      proposed++;
    } else if (e instanceof Envelope.Prepare) {
      prepareVotes++;
      phases.mark(e.height(), PhaseTrace.Mark.PREPARE, System.nanoTime());
    } else if (e instanceof Envelope.Commit) {
      commitVotes++;
      phases.mark(e.height(), PhaseTrace.Mark.COMMIT, System.nanoTime());
    }
  }

  private void startTimer(TimerId id, long delayMs) {
    Long old = timers.remove(id.kind());
    if (old != null) {
      vertx.cancelTimer(old);
    }
    long handle = vertx.setTimer(Math.max(1, delayMs), t -> {
      timers.remove(id.kind(), t);
      if (!stopping) {
        run(replica.handle(new Event.TimerFired(id)));
      }
    });
    timers.put(id.kind(), handle);
  }

  /**
   * The ledger judges each proposal (compact: it fills in the transactions, fetching what it
   * misses); null while it has not answered. The ledger's answer comes back as {@link Event.Wake},
   * on which the replica asks again and gets the verdict. The clock rule (docs/quorum.md) is
   * applied here first, for proposals only: a certified block is judged on its content.
   */
  private Verdict validate(Action.Validate v) {
    ProposalJudge.Judgement j = judge.verdict(v.height(), v.digest(), v.payload(), v.proposal(),
        () -> askLedger(v.height(), v.digest(), v.from()));
    return switch (j) {
      case VALID -> Verdict.VALID;
      case INVALID -> {
        LOG.debug("op=validate height={} refused: {}", v.height(), judge.lastProblem());
        yield Verdict.INVALID;
      }
      case PENDING -> null;
    };
  }

  private void askLedger(long height, String digest, String from) {
    org.kinmesh.chain.CompactBlock cb = judge.header(height, digest, null);
    vertx.eventBus().<LedgerVerticle.Validation>request(addresses.ledger().validate(),
        new LedgerVerticle.ValidateRequest(cb, from)).onComplete(ar -> {
          if (ar.failed() || ar.result().body().verdict() == LedgerVerticle.Validation.Verdict.UNAVAILABLE) {
            // Not decided (transactions that never came): forget it; the next check, at the latest
            // the 1 s tick's Wake, asks again. No Wake here, or an unavailable answer would loop.
            judge.answered(digest, null, null, null);
            return;
          }
          LedgerVerticle.Validation v = ar.result().body();
          boolean valid = v.verdict() == LedgerVerticle.Validation.Verdict.VALID;
          judge.answered(digest, valid ? v.block() : null, valid ? v.after() : null, valid ? null : v.reason());
          if (!stopping) {
            run(replica.handle(new Event.Wake()));
          }
        });
  }

  /** The quorum mode is a local observation; re-checked about every second, with jitter like every tick. */
  private void scheduleQuorumCheck() {
    quorumTimer = vertx.setTimer(org.kinmesh.util.Jitter.around(QUORUM_CHECK_MS, 0.2), t -> {
      if (!stopping) {
        observeQuorum();
        // Clock-dependent rules (an emergency block waiting for our clock, the view-change quorum)
        // are asked again on this tick.
        run(replica.handle(new Event.Wake()));
        resendIfStuck();
        scheduleQuorumCheck();
      }
    });
  }

  /**
   * Links deliver at most once, and a peer's rate limit may drop a message: a lost PREPARE or
   * COMMIT would otherwise hold the height until the view timer (10 s by default). When no block
   * committed since the last tick, this node's own messages for the height in flight go out again
   * (peers count each key once, so a duplicate changes nothing).
   */
  private void resendIfStuck() {
    long h = replica.committedHeight();
    if (h == heightAtLastTick) {
      for (Envelope env : replica.ownPending()) {
        resent++;
        vertx.eventBus().send(addresses.links().broadcast(), LinkMessage.broadcast(codec.encode(env)));
      }
    }
    heightAtLastTick = h;
  }

  private void buildBlock(Action.BuildBlock b) {
    if (building) {
      return; // the answer to the request already out proposes for this height
    }
    building = true;
    long asked = System.nanoTime();
    List<String> signers = lastCertificate == null ? List.of() : lastCertificate.signers();
    long time = Math.max(state.time(), clock.nowSeconds());
    vertx.eventBus().<LedgerVerticle.Built>request(addresses.ledger().build(), new LedgerVerticle.BuildRequest(b.height(),
        identity.publicKeyHex(), signers, time, b.mustPropose(), MAX_BLOCK_TXS, MAX_BLOCK_TX_BYTES)).onComplete(ar -> {
          building = false;
          if (stopping || ar.failed() || ar.result().body().block() == null) {
            return; // nothing waits (or the chain moved on): the replica asks again
          }
          Block block = ar.result().body().block();
          org.kinmesh.chain.CompactBlock compact = org.kinmesh.chain.CompactBlock.of(block);
          judge.built(block, compact, ar.result().body().after());
          phases.mark(b.height(), PhaseTrace.Mark.BUILD, asked);
          phases.mark(b.height(), PhaseTrace.Mark.PROPOSAL, System.nanoTime());
          run(replica.handle(new Event.Propose(b.view(), b.height(), compact.toJsonBytes(), block.hash())));
        });
  }

  /**
   * A committed block: the replica moves on at once with the state the ledger's dry run of this
   * block computed (its validation), and the ledger appends it meanwhile. The append goes to the
   * ledger before any request about the next height (messages from this verticle arrive in order),
   * so the ledger is at this block when it judges the next one. Should the ledger refuse it, it
   * judges nothing more and this node stalls, as it would have without the head start.
   */
  private void committed(Action.Committed c) {
    Block full = judge.validBlock(c.digest());
    GovernanceState after = judge.stateAfter(c.digest());
    if (full == null || after == null) {
      // Every commit path validates first, so the ledger's full block is here; never guess one.
      LOG.error("op=commit height={} digest={} has no validated block; not applied", c.height(),
          c.digest().substring(0, 12));
      return;
    }
    Block block = full.withCommitCertificate(EnvelopeCodec.certificateJson(c.certificate()));
    judge.committedAt(c.height(), block.timestamp());
    boolean goOn = backlog.sent();
    vertx.eventBus().<LedgerVerticle.Appended>request(addresses.ledger().append(), block).onComplete(ar -> {
      if (ar.failed()) {
        backlog.failed();
        LOG.error("op=commit height={} the ledger refused a committed block: {}", c.height(), ar.cause().getMessage());
        return;
      }
      // Applied and published by the ledger (its SQLite write follows).
      phases.applied(c.height(), System.nanoTime(), block.transactions().isEmpty());
      if (ar.result().body().pending() > 0 && !stopping) {
        run(replica.handle(new Event.TransactionsWaiting()));
      }
      backlog.answered(ar.result().body().unwritten());
      resumeIfWritten();
    });
    Membership before = replica.membership();
    boolean emergency = judge.forBlock(c.height(), c.digest(), c.payload(), before) < before.threshold();
    state = after;
    lastCertificate = c.certificate();
    Membership now = membership(state);
    Membership next = now.keys().equals(before.keys()) && now.threshold() == before.threshold() ? null : now;
    committedBlocks++;
    if (emergency) {
      emergencyBlocks++;
      LOG.warn("op=commit height={} hash={} committed with the EMERGENCY majority: {} of {} signed (strict {});"
          + " bring the missing nodes back online (kinmesh status shows which) to return to the strict quorum",
          c.height(), block.hash().substring(0, 12), c.certificate().signers().size(), before.size(),
          before.threshold());
    }
    // Lab tools parse this line (PathLog); an empty block is routine and only counted in the summary.
    int txs = block.transactions().size();
    summary.committed(txs);
    if (txs > 0 || LOG.isDebugEnabled()) {
      String line = "op=commit height={} hash={} txs={} view={}";
      Object[] args = {c.height(), block.hash().substring(0, 12), txs, c.view()};
      if (txs > 0) {
        LOG.info(line, args);
      } else {
        LOG.debug(line, args);
      }
    }
    Event.Applied applied = new Event.Applied(c.height(), next);
    if (!goOn) {
      // The ledger may hold as many committed blocks unwritten as it may (a full disk): the
      // replica stays at this height, taking no part in new commits, until the writes catch up.
      heldApplied = applied;
      // INFO: a full disk has its own WARN (op=ledger_write); a slow one during a catch-up holds briefly.
      LOG.info("op=commit height={} {} committed blocks wait for the disk: this node takes no part in new commits"
          + " until they are written", c.height(), backlog.estimate());
      return;
    }
    // After the actions of this step are carried out (they cancel this height's timers).
    vertx.runOnContext(v -> {
      if (!stopping) {
        run(replica.handle(applied));
      }
    });
  }

  /** A held height goes on once the ledger's writes are below the bound again. */
  private void resumeIfWritten() {
    if (heldApplied != null && backlog.belowBound()) {
      Event.Applied resume = heldApplied;
      heldApplied = null;
      LOG.info("op=commit height={} the disk caught up ({} blocks unwritten): taking part in commits again",
          resume.height(), backlog.estimate());
      if (!stopping) {
        run(replica.handle(resume));
      }
    }
  }

  private void serveFetch(Action.ServeFetch f) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(5_000);
    for (long h = f.from(); h <= f.toHeight(); h++) {
      long height = h;
      vertx.eventBus().<Block>request(addresses.ledger().block(), new JsonObject().put("height", height), opts)
          .onSuccess(m -> {
            Block b = m.body();
            try {
              CommitCertificate cert = codec.decodeCertificate(b.commitCertificate());
              // Compact, like proposals: the receiver fills in the transactions (it asks us for them).
              Envelope.Block env = signer.block(height, b.hash(), org.kinmesh.chain.CompactBlock.of(b).toJsonBytes(),
                  cert);
              vertx.eventBus().send(addresses.links().send(), LinkMessage.to(f.to(), codec.encode(env)));
            } catch (EnvelopeException | RuntimeException e) {
              LOG.warn("op=serve_fetch height={} cannot send: {}; the peer asks again, nothing to do unless this"
                  + " repeats (then check this node's ledger database)", height, e.getMessage());
            }
          });
    }
  }

  /**
   * Counts a refused envelope. Lateness and redundancy (stale, old view, duplicate, out of window)
   * are routine and logged at debug; anything that means a faulty or hostile sender (bad signature,
   * unauthorized key, equivocation, invalid proposal, ...) is logged at info. Links already bound
   * each peer to 100 messages a second, which bounds these lines too.
   */
  private void count(RejectReason reason, String sender, String detail) {
    rejected.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    if (ROUTINE.contains(reason)) {
      LOG.debug("op=reject node={} reason={} from={} detail=\"{}\"", identity.shortId(), reason,
          KeyIds.shortId(sender), detail);
    } else {
      LOG.info("op=reject node={} reason={} from={} detail=\"{}\"", identity.shortId(), reason,
          KeyIds.shortId(sender), detail);
    }
  }

  private void peerEvent(JsonObject e) {
    String key = e == null ? null : e.getString("pubkey");
    if (key == null) {
      return;
    }
    summary.peerEvent(e.getString("event"), e.getString("reason"));
    if ("up".equals(e.getString("event"))) {
      linked.add(key);
      if (!stopping) {
        // What we sent while this link was down is lost (links deliver at most once): send our
        // pending view change or votes again, or a start-up or restart can stall for good.
        for (Envelope env : replica.ownPending()) {
          vertx.eventBus().send(addresses.links().send(), LinkMessage.to(key, codec.encode(env)));
        }
      }
    } else if ("down".equals(e.getString("event"))) {
      linked.remove(key);
    }
  }

  private void seedLinked(JsonObject peersStatus) {
    var peers = peersStatus == null ? null : peersStatus.getJsonArray("peers");
    if (peers == null) {
      return;
    }
    for (Object o : peers) {
      if (o instanceof JsonObject p && "connected".equals(p.getString("state"))) {
        linked.add(p.getString("pubkey"));
      }
    }
  }

  /**
   * The quorum decision now: R counts this node and every authorized peer whose link is up and
   * that was heard from recently. A closed link counts at once (a node that went down is not
   * "responding" for another 15 s). R only picks the mode; the replica's threshold never follows it.
   */
  private QuorumDecision decide() {
    long now = clock.nowMillis();
    Membership m = replica.membership();
    int responding = m.contains(identity.publicKeyHex()) ? 1 : 0;
    for (String k : m.keys()) {
      if (!k.equals(identity.publicKeyHex()) && linked.contains(k)
          && now - lastHeard.getOrDefault(k, Long.MIN_VALUE / 2) < RESPONDING_WINDOW_MS) {
        responding++;
      }
    }
    int strict = quorum.strictThreshold(m.size());
    if (responding >= strict) {
      strictUnreachableSince = null;
    } else if (strictUnreachableSince == null) {
      strictUnreachableSince = now;
    }
    return quorum.decide(QuorumInput.at(m.size(), Math.min(responding, m.size()),
        strictUnreachableSince == null ? OptionalLong.empty() : OptionalLong.of(strictUnreachableSince), now));
  }

  /**
   * Periodic, so that "strict quorum unreachable since" is measured whether or not anyone asks for
   * the status; logs each change of mode. The mode is this node's observation and only reports;
   * what a block needs is the deterministic rule of docs/quorum.md (its timestamp against its
   * parent's), which the replica applies through {@link ProposalJudge}.
   */
  private void observeQuorum() {
    if (stopping) {
      return;
    }
    QuorumDecision d = decide();
    boolean voting = replica.voting();
    if (lastVoting != null && voting != lastVoting) {
      if (voting) {
        LOG.info("op=participation node={} voting again at height {} (view {})", identity.shortId(),
            replica.committedHeight(), replica.view());
      } else {
        LOG.warn("op=participation node={} NOT voting: last voted height {}, committed {}, view {}{}; it catches up"
            + " by itself; if this lasts minutes, check its links (kinmesh paths) and its clock",
            identity.shortId(), replica.lastVotedHeight(), replica.committedHeight(), replica.view(),
            replica.inViewChange() ? " (waiting for a new view)" : "");
      }
    }
    lastVoting = voting;
    if (d.mode() != lastMode) {
      lastMode = d.mode();
      switch (d.mode()) {
        case HEALTHY, DEGRADED -> LOG.info("op=quorum node={} {}", identity.shortId(), d.summary());
        case STALLED, EMERGENCY -> LOG.warn("op=quorum node={} {}; bring the missing nodes back online (kinmesh"
            + " paths shows which peers are down)", identity.shortId(), d.summary());
      }
    }
  }

  private void scheduleSummary() {
    summaryTimer = vertx.setTimer(org.kinmesh.util.Jitter.around(SUMMARY_MS, 0.1), t -> {
      if (stopping) {
        return;
      }
      QuorumMode mode = lastMode == null ? decide().mode() : lastMode;
      Membership m = replica.membership();
      int others = m.size() - (m.contains(identity.publicKeyHex()) ? 1 : 0);
      int up = (int) linked.stream().filter(m::contains).count();
      LOG.info("{}", summary.line(System.nanoTime() / 1_000_000, replica.committedHeight(), mode.name(), up, others));
      scheduleSummary();
    });
  }

  /** {"blocks": n, "<phase>": {"p50": ms, "p99": ms}, ...} over the last blocks this node applied. */
  private JsonObject phasesJson() {
    JsonObject o = new JsonObject().put("blocks", phases.blocks());
    phases.summary().forEach((k, v) -> o.put(k, new JsonObject().put("p50", v[0]).put("p99", v[1])));
    return o;
  }

  /**
   * This node's own part: whether it votes, the last height it voted on, and whether it is in the
   * view the latest commit certificate was made in (the others' live view).
   */
  private JsonObject participation() {
    long liveView = lastCertificate == null ? 0 : lastCertificate.view();
    return new JsonObject().put("voting", replica.voting())
        .put("last_voted_height", replica.lastVotedHeight())
        .put("live_view", liveView)
        .put("in_live_view", !replica.inViewChange() && replica.view() == liveView);
  }

  private JsonObject status() {
    QuorumDecision d = decide();
    boolean emergencyMet = d.mode() == QuorumMode.EMERGENCY;
    // Never healthy while this node itself does not vote (alone in a view of its own, it is no
    // help to the quorum however many peers answer): degraded, and "self_voting" says why.
    boolean voting = replica.voting();
    QuorumMode mode = d.mode() == QuorumMode.HEALTHY && !voting ? QuorumMode.DEGRADED : d.mode();
    Membership m = replica.membership();
    // What a block proposed now would need: the majority once the chain stood still for
    // emergency_after_secs (by this node's clock), else strict.
    boolean due = judge.emergencyDue(replica.committedHeight(), m.size());
    int threshold = due ? org.kinmesh.consensus.Quorums.majority(m.size()) : m.threshold();
    JsonObject q = new JsonObject().put("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
        .put("threshold", threshold).put("strict", m.threshold()).put("authorized", d.authorized())
        .put("responding", d.responding()).put("self_voting", voting).put("emergency_rule_met", emergencyMet).put("emergency_due", due)
        .put("emergency_blocks", emergencyBlocks);
    Long parent = judge.committedTime(replica.committedHeight());
    if (quorum.emergencyMajority() && !due && parent != null
        && quorum.lowestThreshold(m.size()) < m.threshold()) {
      q.put("emergency_in_secs", Math.max(0, parent + quorum.emergencyAfterSecs() - clock.nowSeconds()));
    }
    JsonObject rejects = new JsonObject();
    rejected.forEach((k, v) -> rejects.put(k.name().toLowerCase(java.util.Locale.ROOT), v.get()));
    return new JsonObject()
        .put("role", identity.publicKeyHex().equals(replica.primary()) ? "primary" : "backup")
        .put("view", replica.view())
        .put("primary", replica.primary())
        .put("committed_height", replica.committedHeight())
        .put("in_view_change", replica.inViewChange())
        .put("participation", participation())
        .put("view_timeout_ms", new JsonObject().put("busy", viewTimeouts.height(true, 0))
            .put("idle", viewTimeouts.height(false, 0)).put("new_view", viewTimeouts.newView(0))
            .put("commit_latency_p95", viewTimeouts.p95()))
        .put("quorum", q)
        .put("phases", new JsonObject().put("proposed", proposed).put("prepare_votes", prepareVotes)
            .put("commit_votes", commitVotes).put("committed", committedBlocks).put("resent", resent))
        .put("phases_ms", phasesJson())
        .put("rejected", rejects)
        .put("equivocations", equivocations.get())
        .put("view_changes", viewChanges)
        .put("commit_latency", commitLatency.toJson())
        .mergeIn(stun.addTo(new JsonObject()));
  }
}
