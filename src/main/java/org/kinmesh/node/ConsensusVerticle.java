package org.kinmesh.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.Transaction;
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
import org.kinmesh.consensus.pbft.RejectReason;
import org.kinmesh.consensus.pbft.Replica;
import org.kinmesh.consensus.pbft.Signer;
import org.kinmesh.consensus.pbft.TimerId;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the PBFT replica (docs/consensus.md): feeds it what Links delivered and what its
 * timers say, and carries out its actions: envelopes to Links, blocks built from the ledger's
 * mempool, committed blocks to the ledger. The replica is pure; this class is all of its I/O.
 * Events are handled one at a time on this verticle's event loop.
 */
public final class ConsensusVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsensusVerticle.class);
  /** Proposals stay well under the 64 KiB envelope (the payload travels base64-encoded). */
  private static final long MAX_BLOCK_TX_BYTES = 40_000;
  private static final int MAX_BLOCK_TXS = 500;
  /**
   * A peer counts as responding (for the quorum mode only) while its link is up and it was heard
   * from within this window.
   */
  private static final long RESPONDING_WINDOW_MS = 15_000;
  /** How often the quorum mode is re-evaluated (it tracks how long the strict quorum was unreachable). */
  private static final long QUORUM_CHECK_MS = 1_000;
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
  private QuorumMode lastMode;
  private final Map<RejectReason, AtomicLong> rejected = new EnumMap<>(RejectReason.class);
  private final AtomicLong equivocations = new AtomicLong();
  /** public_endpoint and nat_type for the status, from the Stun verticle. */
  private final org.kinmesh.stun.StunStatus stun = new org.kinmesh.stun.StunStatus();
  /** What this node sent and committed, by PBFT phase: the demo and test scripts check each. */
  private long proposed;
  private long prepareVotes;
  private long commitVotes;
  private long committedBlocks;
  private final ArrayDeque<Runnable> appendQueue = new ArrayDeque<>();
  private Replica replica;
  private GovernanceState state;
  private CommitCertificate lastCertificate;
  private Long strictUnreachableSince;
  private boolean stopping;

  public ConsensusVerticle(PbftConfig pbft, QuorumPolicy quorum, Identity identity, TimeSource clock) {
    this.pbft = pbft;
    this.quorum = quorum;
    this.identity = identity;
    this.clock = clock;
    this.codec = new EnvelopeCodec(pbft.blockchainId());
    this.signer = new EnvelopeSigner(pbft.blockchainId(), Signer.of(identity));
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<GovernanceState>request(LedgerVerticle.STATE, null).compose(m -> {
      state = m.body();
      return resume(state);
    }).map(resume -> {
      replica = new Replica(pbft, Signer.of(identity), this::validate, resume);
      lastCertificate = resume.certificate();
      var bus = vertx.eventBus();
      consumers.add(bus.<JsonObject>consumer(Addresses.LINKS_INBOUND, m -> inbound(m.body())));
      consumers.add(bus.consumer(Addresses.NODE_STATUS, m -> m.reply(status())));
      consumers.add(stun.follow(bus));
      consumers.add(bus.<JsonObject>consumer(Addresses.PEERS_EVENTS, m -> peerEvent(m.body())));
      bus.<JsonObject>request(Addresses.PEERS_STATUS, new JsonObject()).onSuccess(m -> seedLinked(m.body()));
      scheduleQuorumCheck();
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
    return vertx.eventBus().<Block>request(LedgerVerticle.BLOCK, new JsonObject().put("height", s.height()))
        .compose(m -> {
          try {
            CommitCertificate cert = codec.decodeCertificate(m.body().commitCertificate());
            return Future.succeededFuture(new Replica.Resume(s.height(), s.headHash(), cert, cert.view(), membership));
          } catch (EnvelopeException | RuntimeException e) {
            return Future.failedFuture(new IllegalStateException("stored block " + s.height()
                + " has no usable commit certificate: " + e.getMessage()));
          }
        });
  }

  private Membership membership(GovernanceState s) {
    return Membership.of(LedgerVerticle.authorizedKeys(s), quorum);
  }

  private void inbound(JsonObject body) {
    if (stopping || body == null) {
      return;
    }
    String payload = body.getString("payload");
    if (payload == null || payload.startsWith(LedgerVerticle.FORWARD_PREFIX)) {
      return; // transactions for the mempool are the ledger's
    }
    Envelope e;
    try {
      e = codec.decode(payload.getBytes(StandardCharsets.UTF_8));
    } catch (EnvelopeException ex) {
      count(ex.reason(), body.getString("from"), ex.getMessage());
      return;
    }
    lastHeard.put(body.getString("from"), clock.nowMillis());
    run(replica.handle(new Event.Received(e)));
  }

  private void run(List<Action> actions) {
    for (Action a : actions) {
      if (a instanceof Action.Broadcast b) {
        countPhase(b.envelope());
        vertx.eventBus().send(Addresses.LINKS_BROADCAST, new JsonObject().put("payload", encode(b.envelope())));
      } else if (a instanceof Action.Send s) {
        vertx.eventBus().send(Addresses.LINKS_SEND, new JsonObject().put("to", s.to()).put("payload",
            encode(s.envelope())));
      } else if (a instanceof Action.Committed c) {
        committed(c);
      } else if (a instanceof Action.BuildBlock b) {
        buildBlock(b);
      } else if (a instanceof Action.ServeFetch f) {
        serveFetch(f);
      } else if (a instanceof Action.StartTimer t) {
        startTimer(t.id(), t.delayMs());
      } else if (a instanceof Action.CancelTimer t) {
        Long id = timers.remove(t.kind());
        if (id != null) {
          vertx.cancelTimer(id);
        }
      } else if (a instanceof Action.ReportEquivocation r) {
        equivocations.incrementAndGet();
        LOG.warn("op=equivocation sender={} view={} height={} digests={}/{}", KeyIds.shortId(r.sender()),
            r.first().view(), r.first().height(), r.first().digest().substring(0, 12), r.second().digest().substring(0, 12));
        vertx.eventBus().publish(Addresses.PEERS_EVENTS, new JsonObject().put("event", "equivocation")
            .put("pubkey", r.sender()).put("view", r.first().view()).put("height", r.first().height()));
      } else if (a instanceof Action.Rejected r) {
        count(r.reason(), r.sender(), r.detail());
      } else if (a instanceof Action.ViewChanged v) {
        LOG.info("op=view_change view={} primary={}", v.view(), KeyIds.shortId(v.primary()));
      }
    }
  }

  private void countPhase(Envelope e) {
    if (e instanceof Envelope.PrePrepare) {
      proposed++;
    } else if (e instanceof Envelope.Prepare) {
      prepareVotes++;
    } else if (e instanceof Envelope.Commit) {
      commitVotes++;
    }
  }

  private String encode(Envelope e) {
    return new String(codec.encode(e), StandardCharsets.UTF_8);
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

  /** The ledger judges a proposal: it must be the block its digest names and extend our chain. */
  private boolean validate(long height, byte[] payload, String digest) {
    Block b;
    try {
      b = Block.parse(payload);
    } catch (WireException | RuntimeException e) {
      LOG.debug("op=validate height={} payload does not parse: {}", height, e.getMessage());
      return false;
    }
    if (!b.hash().equals(digest) || b.height() != height || !b.blockchainId().equals(pbft.blockchainId())) {
      return false;
    }
    String refusal = refusal(b);
    if (refusal != null) {
      LOG.debug("op=validate height={} refused: {}", height, refusal);
    }
    return refusal == null;
  }

  /** The quorum mode is a local observation; re-checked about every second, with jitter like every tick. */
  private void scheduleQuorumCheck() {
    quorumTimer = vertx.setTimer(org.kinmesh.util.Jitter.around(QUORUM_CHECK_MS, 0.2), t -> {
      if (!stopping) {
        observeQuorum();
        scheduleQuorumCheck();
      }
    });
  }

  /** Why the ledger would refuse this block, or null. */
  private String refusal(Block b) {
    try {
      Ledger.apply(state, b);
      return null;
    } catch (InvalidBlockException | RuntimeException e) {
      return e.getMessage();
    }
  }

  private void buildBlock(Action.BuildBlock b) {
    vertx.eventBus().<JsonObject>request(LedgerVerticle.CANDIDATES, new JsonObject().put("max_tx", MAX_BLOCK_TXS)
        .put("max_bytes", MAX_BLOCK_TX_BYTES)).onComplete(ar -> {
          if (stopping || ar.failed()) {
            return;
          }
          List<Transaction> txs = new ArrayList<>();
          for (Object o : ar.result().body().getJsonArray("transactions")) {
            try {
              txs.add(Transaction.parse(((JsonObject) o).encode().getBytes(StandardCharsets.UTF_8)));
            } catch (WireException e) {
              LOG.warn("op=build_block skipped an unparsable candidate: {}", e.getMessage());
            }
          }
          if (txs.isEmpty() && !b.mustPropose()) {
            return;
          }
          if (state.height() != b.height() - 1) {
            return; // the chain moved on while we asked; the replica will ask again
          }
          List<String> signers = lastCertificate == null ? List.of()
              : lastCertificate.signers().stream().sorted().toList();
          long time = Math.max(state.time(), clock.nowSeconds());
          Block block = Block.of(pbft.blockchainId(), b.height(), state.headHash(), time, identity.publicKeyHex(),
              signers, txs);
          String refusal = refusal(block);
          if (refusal != null) {
            // a candidate went stale (e.g. an old nonce): propose without transactions rather than stall
            LOG.warn("op=build_block height={} candidates refused ({}); proposing an empty block", b.height(), refusal);
            block = Block.of(pbft.blockchainId(), b.height(), state.headHash(), time, identity.publicKeyHex(), signers,
                List.of());
          }
          run(replica.handle(new Event.Propose(b.view(), b.height(), block.toJsonBytes(), block.hash())));
        });
  }

  /** Appends committed blocks strictly in order, one at a time. */
  private void committed(Action.Committed c) {
    Block block;
    try {
      block = Block.parse(c.payload()).withCommitCertificate(EnvelopeCodec.certificateJson(c.certificate()));
    } catch (WireException e) {
      LOG.error("op=commit height={} payload does not parse: {}", c.height(), e.getMessage());
      return;
    }
    Block toAppend = block;
    appendQueue.add(() -> vertx.eventBus().<JsonObject>request(LedgerVerticle.APPEND, toAppend)
        .compose(r -> vertx.eventBus().<GovernanceState>request(LedgerVerticle.STATE, null))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.error("op=commit height={} the ledger refused a committed block: {}", c.height(),
                ar.cause().getMessage());
          } else {
            Membership before = replica.membership();
            state = ar.result().body();
            lastCertificate = c.certificate();
            Membership after = membership(state);
            Membership next = after.keys().equals(before.keys()) && after.threshold() == before.threshold() ? null
                : after;
            committedBlocks++;
            LOG.info("op=commit height={} hash={} txs={} view={}", c.height(), toAppend.hash().substring(0, 12),
                toAppend.transactions().size(), c.view());
            if (!stopping) {
              run(replica.handle(new Event.Applied(c.height(), next)));
            }
          }
          appendQueue.poll();
          Runnable nextAppend = appendQueue.peek();
          if (nextAppend != null) {
            nextAppend.run();
          }
        }));
    if (appendQueue.size() == 1) {
      appendQueue.peek().run();
    }
  }

  private void serveFetch(Action.ServeFetch f) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(5_000);
    for (long h = f.from(); h <= f.toHeight(); h++) {
      long height = h;
      vertx.eventBus().<Block>request(LedgerVerticle.BLOCK, new JsonObject().put("height", height), opts)
          .onSuccess(m -> {
            Block b = m.body();
            try {
              CommitCertificate cert = codec.decodeCertificate(b.commitCertificate());
              Envelope.Block env = signer.block(height, b.hash(), b.toJsonBytes(), cert);
              vertx.eventBus().send(Addresses.LINKS_SEND, new JsonObject().put("to", f.to()).put("payload", encode(env)));
            } catch (EnvelopeException | RuntimeException e) {
              LOG.warn("op=serve_fetch height={} cannot send: {}", height, e.getMessage());
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
    if ("up".equals(e.getString("event"))) {
      linked.add(key);
      if (!stopping) {
        // What we sent while this link was down is lost (links deliver at most once): send our
        // pending view change or votes again, or a start-up or restart can stall for good.
        for (Envelope env : replica.ownPending()) {
          vertx.eventBus().send(Addresses.LINKS_SEND, new JsonObject().put("to", key).put("payload", encode(env)));
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
   * the status; logs each change of mode. The emergency majority is NOT applied by this host
   * (docs/quorum.md, "Emergency commits are not implemented"): when its conditions are met the node
   * says so loudly and keeps the strict threshold, so it reports STALLED, never EMERGENCY.
   */
  private void observeQuorum() {
    if (stopping) {
      return;
    }
    QuorumDecision d = decide();
    if (d.mode() != lastMode) {
      lastMode = d.mode();
      switch (d.mode()) {
        case HEALTHY, DEGRADED -> LOG.info("op=quorum node={} {}", identity.shortId(), d.summary());
        case STALLED -> LOG.warn("op=quorum node={} {}", identity.shortId(), d.summary());
        case EMERGENCY -> LOG.warn("op=quorum node={} emergency majority conditions met ({}/{} responding for"
            + " {} s or more) but NOT applied: this node keeps the strict threshold {} and commits nothing until"
            + " it is reached again", identity.shortId(), d.responding(), d.authorized(), quorum.emergencyAfterSecs(),
            replica.membership().threshold());
      }
    }
  }

  private JsonObject status() {
    QuorumDecision d = decide();
    boolean emergencyMet = d.mode() == QuorumMode.EMERGENCY;
    QuorumMode mode = emergencyMet ? QuorumMode.STALLED : d.mode();
    JsonObject rejects = new JsonObject();
    rejected.forEach((k, v) -> rejects.put(k.name().toLowerCase(java.util.Locale.ROOT), v.get()));
    return new JsonObject()
        .put("role", identity.publicKeyHex().equals(replica.primary()) ? "primary" : "backup")
        .put("view", replica.view())
        .put("primary", replica.primary())
        .put("committed_height", replica.committedHeight())
        .put("in_view_change", replica.inViewChange())
        .put("quorum", new JsonObject().put("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
            .put("threshold", replica.membership().threshold()).put("authorized", d.authorized())
            .put("responding", d.responding()).put("emergency_rule_met", emergencyMet))
        .put("phases", new JsonObject().put("proposed", proposed).put("prepare_votes", prepareVotes)
            .put("commit_votes", commitVotes).put("committed", committedBlocks))
        .put("rejected", rejects)
        .put("equivocations", equivocations.get())
        .mergeIn(stun.addTo(new JsonObject()));
  }
}
