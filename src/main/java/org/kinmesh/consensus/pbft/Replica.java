package org.kinmesh.consensus.pbft;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.consensus.pbft.Envelope.Block;
import org.kinmesh.consensus.pbft.Envelope.Checkpoint;
import org.kinmesh.consensus.pbft.Envelope.Commit;
import org.kinmesh.consensus.pbft.Envelope.Fetch;
import org.kinmesh.consensus.pbft.Envelope.NewView;
import org.kinmesh.consensus.pbft.Envelope.PrePrepare;
import org.kinmesh.consensus.pbft.Envelope.Prepare;
import org.kinmesh.consensus.pbft.Envelope.ViewChange;

/**
 * One node's PBFT state machine (docs/consensus.md). Pure and deterministic: no clock, no I/O,
 * no threads; the host feeds {@link Event}s one at a time and carries out the {@link Action}s.
 *
 * <p>Sequence number = block height, one height in flight: height h + 1 is decided only after
 * h committed and the host applied it. Prepared = the pre-prepare plus a threshold of matching
 * PREPAREs from distinct authorized keys (every replica, the primary too, sends one; its own
 * counts). Committed = a threshold of matching COMMITs, in any one view: such a set is a
 * {@link CommitCertificate}, the same proof a fetched block must carry.
 */
public final class Replica {
  /** How far ahead of the current view pre-prepares and votes are buffered. */
  static final long MAX_VIEW_AHEAD = 8;

  /** Where a replica starts: genesis (height 0) or a restart from its last committed block. */
  public record Resume(long height, String digest, CommitCertificate certificate, long view,
      Membership membership) {
    public Resume {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(membership, "membership");
      if (height < 0 || view < 0) {
        throw new IllegalArgumentException("height and view must be >= 0");
      }
      if (height > 0 && certificate == null) {
        throw new IllegalArgumentException("a committed height above 0 needs its commit certificate");
      }
    }

    public static Resume genesis(String genesisHash, Membership membership) {
      return new Resume(0, genesisHash, null, 0, membership);
    }
  }

  private final PbftConfig config;
  private final ViewTimeouts timeouts;
  private final EnvelopeSigner sign;
  private final String me;
  private final String chain;
  private final QuorumRule quorum;
  private final MembershipSchedule schedule;
  private final VoteLog log = new VoteLog();
  private final CheckpointTracker checkpoints;
  /** Each key's latest view change (highest view, then highest height): n entries at most. */
  private final Map<String, ViewChange> viewChanges = new HashMap<>();
  private final CatchUp catchUp;

  private long committedHeight;
  private String committedDigest;
  private CommitCertificate committedCert;
  private long appliedHeight;

  private long view;
  /** False between sending VIEW-CHANGE for {@link #view} and accepting its NEW-VIEW. */
  private boolean active = true;
  /** Whether the timer for the view being entered runs (see {@link #armViewTimer}). */
  private boolean waitTimerArmed;
  private int consecutiveViewChanges;
  /** The host said transactions wait (reset at each commit; the host says it again if still true). */
  private boolean transactionsWaiting;
  /** The current height's view timer runs with the shorter wait for a busy primary. */
  private boolean busyTimer;

  /** Highest-view prepared certificate for committedHeight + 1, and its payload. */
  private PreparedCertificate prepared;
  private byte[] preparedPayload;

  /** First height the current view may decide; below it, the NEW-VIEW's proof rules. */
  private long viewStartHeight;

  private long proposeWaitedMs;
  private long revotedView = -1;
  /** Highest height this replica sent a PREPARE or COMMIT for (0: none yet). */
  private long lastVotedHeight;

  private Checkpoint lastCheckpoint;

  /** A committed height: its digest and the threshold its block needed. */
  private record CommittedAt(String digest, int threshold) {}

  /** The last {@code log_window} committed heights, to judge certificates of them (view changes, checkpoints). */
  private final TreeMap<Long, CommittedAt> recentCommits = new TreeMap<>();

  private List<Action> out = new ArrayList<>();

  /** What the host is asked to judge (always at committedHeight + 1; cleared at each commit). */
  private record Judged(long height, String digest, boolean proposal) {}

  /** Asked since the last {@link Event.Wake}: not asked again before it. */
  private final java.util.Set<Judged> asked = new java.util.HashSet<>();
  /**
   * The host's answers for this height. VALID stands (the parent is fixed, and a proposal's clock
   * check only gets easier as time passes); INVALID is forgotten at the next Wake and asked again.
   */
  private final Map<Judged, Verdict> verdicts = new HashMap<>();

  public Replica(PbftConfig config, Signer signer, Resume resume) {
    this(config, signer, QuorumRule.STRICT, resume);
  }

  /** With the host's {@link QuorumRule} (the emergency majority of docs/quorum.md, when enabled). */
  public Replica(PbftConfig config, Signer signer, QuorumRule quorum, Resume resume) {
    this(config, signer, quorum, ViewTimeouts.fixed(config), resume);
  }

  /** With the host's view timeouts (the adaptive ones of {@link AdaptiveViewTimeout}). */
  public Replica(PbftConfig config, Signer signer, QuorumRule quorum, ViewTimeouts timeouts, Resume resume) {
    this.config = config;
    this.timeouts = timeouts;
    this.quorum = quorum;
    this.sign = new EnvelopeSigner(config.blockchainId(), signer);
    this.catchUp = new CatchUp(config, sign);
    this.me = signer.publicKey();
    this.chain = config.blockchainId();
    this.schedule = new MembershipSchedule(resume.height() + 1, resume.membership());
    this.committedHeight = resume.height();
    this.committedDigest = resume.digest();
    this.committedCert = resume.certificate();
    this.appliedHeight = resume.height();
    this.view = resume.view();
    this.checkpoints = new CheckpointTracker(resume.height());
    if (resume.certificate() != null) {
      // Our own stored proof: a certificate for the same block with as many signers is as good.
      int signers = resume.certificate().signers().size();
      recentCommits.put(resume.height(), new CommittedAt(resume.digest(),
          Math.min(signers, resume.membership().threshold())));
    }
  }

  // --- status (read-only, for the host's status API and for tests) -------------------------

  /**
   * A vote or proposal for a height this replica already committed, which it would drop as stale
   * whoever signed it: the host skips the signature check for it (the fourth COMMIT of every block
   * arrives after the quorum of three, so this saves a verification per block and peer).
   */
  public boolean isStale(Envelope e) {
    return (e instanceof PrePrepare || e instanceof Prepare || e instanceof Commit) && e.height() <= committedHeight
        && chain.equals(e.blockchainId());
  }

  public long committedHeight() {
    return committedHeight;
  }

  public long view() {
    return view;
  }

  public boolean inViewChange() {
    return !active;
  }

  /** Highest height this replica voted on (sent a PREPARE or COMMIT); 0 before its first vote. */
  public long lastVotedHeight() {
    return lastVotedHeight;
  }

  /**
   * Whether this replica takes part: a voter at the height in flight, in an installed view (not
   * changing views), and it voted on one of the last {@code VOTING_SLACK + 1} committed heights
   * (a block it merely followed by certificate, as a replica alone in its own view does, does not
   * count). At genesis nothing committed yet, so being in the view is enough.
   */
  public boolean voting() {
    return active && schedule.at(committedHeight + 1).contains(me)
        && (committedHeight == 0 || lastVotedHeight >= committedHeight - VOTING_SLACK);
  }

  /** Heights a voter may miss (a late pre-prepare makes it follow one block by certificate). */
  static final long VOTING_SLACK = 2;

  /** View changes in a row without a commit: the exponent of the view-timer doubling. */
  public int consecutiveViewChanges() {
    return consecutiveViewChanges;
  }

  public long lowWatermark() {
    return checkpoints.stableHeight();
  }

  public long highWatermark() {
    return checkpoints.stableHeight() + config.logWindow();
  }

  public String primary() {
    return schedule.at(committedHeight + 1).primary(view);
  }

  public Membership membership() {
    return schedule.at(committedHeight + 1);
  }

  public String publicKey() {
    return me;
  }

  /**
   * This replica's own latest messages for the height in flight: its VIEW-CHANGE while it changes
   * views, else its PRE-PREPARE (as primary), PREPARE and COMMIT of the current view. Links deliver
   * at most once and nothing in the core re-sends these, so a message sent while a link was down
   * (start-up, a peer restarting) is lost for good; when it is a VIEW-CHANGE, the replicas can wait
   * forever, each with fewer than a threshold of view changes and no view timer running. A host
   * sends these again to a peer whose link just came up (duplicates are refused as such).
   */
  public List<Envelope> ownPending() {
    List<Envelope> mine = new ArrayList<>();
    if (!active) {
      ViewChange vc = viewChanges.get(me);
      if (vc != null && vc.view() == view) {
        mine.add(vc);
      }
      return mine;
    }
    VoteLog.Round r = log.peek(committedHeight + 1, view);
    if (r != null) {
      if (r.prePrepare != null && me.equals(r.prePrepare.sender())) {
        mine.add(r.prePrepare);
      }
      Prepare p = r.prepares.get(me);
      if (p != null) {
        mine.add(p);
      }
      Commit c = r.commits.get(me);
      if (c != null) {
        mine.add(c);
      }
    }
    return mine;
  }

  // --- the one entry point ---------------------------------------------------------------------

  public List<Action> handle(Event event) {
    out = new ArrayList<>();
    if (event instanceof Event.Start) {
      armHeight();
    } else if (event instanceof Event.Received r) {
      receive(r.envelope());
    } else if (event instanceof Event.TimerFired t) {
      timer(t.id());
    } else if (event instanceof Event.Propose p) {
      propose(p);
    } else if (event instanceof Event.Applied a) {
      applied(a);
    } else if (event instanceof Event.TransactionsWaiting) {
      transactionsWaiting = true;
      if (canPropose()) {
        out.add(new Action.BuildBlock(view, committedHeight + 1, false));
      } else if (active && appliedHeight == committedHeight && !busyTimer
          && timeouts.height(true, consecutiveViewChanges) < timeouts.height(false, consecutiveViewChanges)) {
        // The primary has no heartbeat to wait for now: suspect it sooner.
        busyTimer = true;
        out.add(new Action.StartTimer(new TimerId(TimerId.Kind.VIEW, view, committedHeight + 1),
            timeouts.height(true, consecutiveViewChanges)));
      }
    } else if (event instanceof Event.Validated v) {
      if (v.height() == committedHeight + 1 && v.digest() != null && v.verdict() != null) {
        verdicts.put(new Judged(v.height(), v.digest(), v.proposal()), v.verdict());
      }
    } else if (event instanceof Event.Wake) {
      asked.clear(); // what the host could not decide may be decidable now: ask again
      verdicts.values().removeIf(v -> v == Verdict.INVALID);
      if (!active) {
        armViewTimer(); // the view-change quorum may have dropped (QuorumRule.forViewChange)
      }
    }
    progress();
    List<Action> result = out;
    out = new ArrayList<>();
    return result;
  }

  // --- events ------------------------------------------------------------------------------------

  private void applied(Event.Applied a) {
    if (a.height() != committedHeight || appliedHeight == committedHeight) {
      return;
    }
    appliedHeight = committedHeight;
    if (a.next() != null) {
      schedule.changeFrom(committedHeight + 1, a.next());
    }
    armHeight();
  }

  private void timer(TimerId id) {
    switch (id.kind()) {
      case VIEW -> {
        if (id.view() != view || id.height() != committedHeight + 1 || appliedHeight != committedHeight) {
          return;
        }
        if (active && committedHeight + 1 > highWatermark()) {
          // Waiting on a stable checkpoint, not on the primary: a new view would not help.
          // Our checkpoint may have been lost; send it again.
          if (lastCheckpoint != null) {
            out.add(new Action.Broadcast(lastCheckpoint));
          }
          out.add(new Action.StartTimer(id, timeouts.height(false, consecutiveViewChanges)));
          return;
        }
        startViewChange(view + 1);
      }
      case PROPOSE -> {
        if (id.view() == view && id.height() == committedHeight + 1 && canPropose()) {
          proposeWaitedMs += config.blockIntervalMs();
          out.add(new Action.BuildBlock(view, id.height(), proposeWaitedMs >= config.emptyBlockIntervalMs()));
          // Re-arm: the host answers only when transactions wait, until the heartbeat is due.
          out.add(new Action.StartTimer(id, config.blockIntervalMs()));
        }
      }
      case FETCH -> catchUp.timerFired(committedHeight, view, schedule.at(committedHeight + 1).keys(), out);
    }
  }

  private void propose(Event.Propose p) {
    long h = committedHeight + 1;
    if (p.view() != view || p.height() != h || !canPropose() || p.payload() == null || p.digest() == null) {
      return; // a late answer to an old BuildBlock
    }
    PrePrepare pp = sign.prePrepare(view, h, p.digest(), p.payload());
    VoteLog.Round r = log.round(h, view);
    if (r == null) {
      return;
    }
    r.prePrepare = pp;
    log.putPayload(h, pp.digest(), pp.payload());
    out.add(new Action.CancelTimer(TimerId.Kind.PROPOSE));
    out.add(new Action.Broadcast(pp));
  }

  private boolean canPropose() {
    long h = committedHeight + 1;
    VoteLog.Round r = log.peek(h, view);
    return active && appliedHeight == committedHeight && h <= highWatermark()
        && me.equals(schedule.at(h).primary(view)) && (r == null || r.prePrepare == null);
  }

  // --- inbound messages ------------------------------------------------------------------------------

  private void receive(Envelope e) {
    if (!chain.equals(e.blockchainId())) {
      reject(RejectReason.WRONG_BLOCKCHAIN, e, e.blockchainId());
      return;
    }
    if (me.equals(e.sender())) {
      return; // our own message looped back: already applied
    }
    if (e instanceof PrePrepare pp) {
      onPrePrepare(pp);
    } else if (e instanceof Prepare p) {
      onPrepare(p);
    } else if (e instanceof Commit c) {
      onCommit(c);
    } else if (e instanceof Checkpoint cp) {
      onCheckpoint(cp);
    } else if (e instanceof ViewChange vc) {
      onViewChange(vc);
    } else if (e instanceof NewView nv) {
      onNewView(nv);
    } else if (e instanceof Fetch f) {
      onFetch(f);
    } else if (e instanceof Block b) {
      onBlock(b);
    }
  }

  /** Common admission of a slot message: height window, view window, authorization. */
  private boolean admit(Envelope e, boolean anyOlderView) {
    long h = e.height();
    if (h <= committedHeight) {
      reject(RejectReason.STALE, e, "height " + h + " already committed");
      return false;
    }
    if (h > committedHeight + config.logWindow()) {
      reject(RejectReason.OUT_OF_WINDOW, e, "height " + h + " beyond the log window");
      hintFetch(e.sender(), h - 1);
      return false;
    }
    if (e.view() > view + MAX_VIEW_AHEAD) {
      reject(RejectReason.OUT_OF_WINDOW, e, "view " + e.view() + " too far ahead");
      hintFetch(e.sender(), h - 1); // certificates of its blocks will carry us to its view
      return false;
    }
    if (!anyOlderView && e.view() < view && (active || e.view() + MAX_VIEW_AHEAD < view)) {
      reject(RejectReason.OLD_VIEW, e, "view " + e.view() + " < " + view);
      return false;
    }
    if (!schedule.at(h).contains(e.sender())) {
      reject(RejectReason.UNAUTHORIZED, e, "not an authorized consensus key at height " + h);
      return false;
    }
    return true;
  }

  private void onPrePrepare(PrePrepare pp) {
    if (pp.height() == committedHeight && pp.digest().equals(committedDigest)) {
      revote(pp);
      return;
    }
    if (!admit(pp, false)) {
      return;
    }
    if (!pp.sender().equals(schedule.at(pp.height()).primary(pp.view()))) {
      reject(RejectReason.NOT_PRIMARY, pp, "not the primary of view " + pp.view());
      return;
    }
    if (pp.payload() == null) {
      reject(RejectReason.MALFORMED, pp, "pre-prepare without payload");
      return;
    }
    acceptPrePrepare(pp);
    if (pp.height() > committedHeight + 1) {
      hintFetch(pp.sender(), pp.height() - 1);
    }
  }

  /** Stores a pre-prepare; a second, different one for the same slot is equivocation. */
  private void acceptPrePrepare(PrePrepare pp) {
    VoteLog.Round r = log.round(pp.height(), pp.view());
    if (r == null) {
      reject(RejectReason.OUT_OF_WINDOW, pp, "too many views at height " + pp.height());
      return;
    }
    if (r.prePrepare != null) {
      if (r.prePrepare.digest().equals(pp.digest())) {
        reject(RejectReason.DUPLICATE, pp, "pre-prepare already received");
        return;
      }
      out.add(new Action.ReportEquivocation(pp.sender(), r.prePrepare.withoutPayload(), pp.withoutPayload()));
      reject(RejectReason.EQUIVOCATION, pp, "second pre-prepare for view " + pp.view() + " height " + pp.height());
      if (active && pp.view() == view) {
        startViewChange(view + 1); // a primary that signs two proposals is faulty: replace it
      }
      return;
    }
    r.prePrepare = pp;
    log.putPayload(pp.height(), pp.digest(), pp.payload());
  }

  /**
   * A NEW-VIEW can re-propose a height this replica already committed (it was not among the view
   * changes the primary used). Voting again for the digest it committed is safe, and without it
   * the others might miss a quorum.
   */
  private void revote(PrePrepare pp) {
    Membership m = schedule.at(pp.height());
    if (!active || pp.view() != view || revotedView == view || !pp.sender().equals(m.primary(view))
        || !m.contains(me)) {
      return;
    }
    revotedView = view;
    lastVotedHeight = Math.max(lastVotedHeight, pp.height());
    out.add(new Action.Broadcast(sign.prepare(view, pp.height(), pp.digest())));
    out.add(new Action.Broadcast(sign.commit(view, pp.height(), pp.digest())));
  }

  private void onPrepare(Prepare p) {
    if (!admit(p, false)) {
      return;
    }
    countVote(p, log.addPrepare(p));
    if (p.height() > committedHeight + 1) {
      hintFetch(p.sender(), p.height() - 1);
    }
  }

  private void onCommit(Commit c) {
    // Commits of older views still count: a threshold of them in one view is a certificate.
    if (!admit(c, true)) {
      return;
    }
    countVote(c, log.addCommit(c));
    if (c.height() > committedHeight + 1) {
      hintFetch(c.sender(), c.height() - 1);
    }
  }

  private void countVote(Envelope e, VoteLog.Added added) {
    switch (added) {
      case DUPLICATE -> reject(RejectReason.DUPLICATE, e, "vote already counted");
      case CONFLICT -> reject(RejectReason.CONFLICTING_VOTE, e, "a different digest from the same key");
      case FULL -> reject(RejectReason.OUT_OF_WINDOW, e, "too many views at height " + e.height());
      case ADDED -> { }
    }
  }

  private void onCheckpoint(Checkpoint cp) {
    Membership m = schedule.at(cp.height());
    if (!m.contains(cp.sender())) {
      reject(RejectReason.UNAUTHORIZED, cp, "not an authorized consensus key at height " + cp.height());
      return;
    }
    if (cp.height() % config.checkpointInterval() != 0) {
      reject(RejectReason.MALFORMED, cp, "not a checkpoint height");
      return;
    }
    switch (checkpoints.add(cp)) {
      case OLD -> reject(RejectReason.STALE, cp, "at or below the stable checkpoint");
      case DUPLICATE -> reject(RejectReason.DUPLICATE, cp, "checkpoint already counted");
      case CONFLICT -> reject(RejectReason.CONFLICTING_VOTE, cp, "a different digest from the same key");
      case ADDED -> {
        if (cp.height() > committedHeight) {
          hintFetch(cp.sender(), cp.height());
        }
        tryStabilize(cp);
      }
    }
  }

  private void tryStabilize(Checkpoint cp) {
    boolean wasThrottled = committedHeight + 1 > highWatermark();
    if (checkpoints.tryStabilize(cp, schedule.at(cp.height()), certThreshold(cp.height(), cp.digest()))
        && wasThrottled && canPropose()) {
      armPropose(); // the window opened again
    }
  }

  private void onViewChange(ViewChange vc) {
    Membership m = schedule.at(vc.height());
    if (!m.contains(vc.sender())) {
      reject(RejectReason.UNAUTHORIZED, vc, "not an authorized consensus key at height " + vc.height());
      return;
    }
    if (vc.view() < view || (vc.view() == view && active)) {
      reject(RejectReason.OLD_VIEW, vc, "view " + vc.view() + " is not ahead of " + view);
      return;
    }
    if (vc.view() > view + MAX_VIEW_AHEAD * 8) {
      reject(RejectReason.OUT_OF_WINDOW, vc, "view " + vc.view() + " too far ahead");
      return;
    }
    String problem = ViewChangeRules.problem(vc, chain, schedule, this::certThresholdLenient,
        (h, d, pm) -> vc.preparedPayload() != null ? blockThreshold(h, d, vc.preparedPayload())
            : certThresholdLenient(h, d, pm));
    if (problem != null) {
      reject(RejectReason.INVALID_VIEW_CHANGE, vc, problem);
      return;
    }
    ViewChange had = viewChanges.get(vc.sender());
    if (had != null && (had.view() > vc.view() || (had.view() == vc.view() && had.height() >= vc.height()))) {
      reject(RejectReason.DUPLICATE, vc, "an equal or newer view change is held");
      return;
    }
    viewChanges.put(vc.sender(), vc);
    if (vc.preparedPayload() != null && vc.prepared() != null) {
      log.putPayload(vc.height(), vc.prepared().digest(), vc.preparedPayload());
    }
    if (vc.height() > committedHeight + 1) {
      CommitCertificate proof = vc.committed();
      if (proof != null && proof.height() == committedHeight + 1
          && log.payload(proof.height(), proof.digest()) != null) {
        // Its certificate proves our next height committed (the dead primary's last commit reached
        // it, not us): its signed commits count as if they came here, so the block we hold commits
        // now and the view change gathers at one height without a fetch.
        proof.commits().forEach(log::addCommit);
        hintFetch(vc.sender(), vc.height() - 1);
      } else {
        // A certificate, not votes that may be merely late: fetch without the one-block wait.
        catchUp.hintCertified(vc.sender(), vc.height() - 1, committedHeight, view, out);
      }
    }
    joinIfOthersMoved();
    if (!active) {
      armViewTimer();
    }
  }

  /**
   * While changing views: fewer than f + 1 other keys ask for our view or a later one, so no correct
   * replica but us needs to leave the current view. With f + 1 of them one is correct and the view
   * change is real: stay, or a replica that catches up on old certificates would leave it.
   */
  private boolean aloneInViewChange() {
    Membership m = schedule.at(committedHeight + 1);
    long asking = viewChanges.values().stream()
        .filter(vc -> vc.view() >= view && !me.equals(vc.sender()) && m.contains(vc.sender())).count();
    return asking < m.weakQuorum();
  }

  /**
   * f + 1 keys asking for views above ours include a correct one, so our own timer is merely
   * late: join the smallest of those views instead of waiting (PBFT's liveness rule).
   */
  private void joinIfOthersMoved() {
    Membership m = schedule.at(committedHeight + 1);
    long smallest = Long.MAX_VALUE;
    int ahead = 0;
    for (ViewChange vc : viewChanges.values()) {
      if (vc.view() > view && m.contains(vc.sender())) {
        ahead++;
        smallest = Math.min(smallest, vc.view());
      }
    }
    if (ahead >= m.weakQuorum()) {
      startViewChange(smallest);
    }
  }

  private void onNewView(NewView nv) {
    if (nv.view() < view || (nv.view() == view && active)) {
      reject(RejectReason.OLD_VIEW, nv, "view " + nv.view() + " is not ahead of " + view);
      return;
    }
    Membership m = schedule.at(nv.height());
    if (!nv.sender().equals(m.primary(nv.view()))) {
      reject(RejectReason.NOT_PRIMARY, nv, "not the primary of view " + nv.view());
      return;
    }
    String problem = newViewProblem(nv, m);
    if (problem != null) {
      reject(RejectReason.INVALID_NEW_VIEW, nv, problem);
      return;
    }
    installNewView(nv);
  }

  /** Recomputes the plan from the included view changes; null when the NEW-VIEW is right. */
  private String newViewProblem(NewView nv, Membership m) {
    Map<String, ViewChange> distinct = new HashMap<>();
    for (ViewChange vc : nv.viewChanges()) {
      if (vc.view() != nv.view() || !vc.blockchainId().equals(chain) || !m.contains(vc.sender())) {
        return "view change for another view, chain or key";
      }
      if (distinct.put(vc.sender(), vc) != null) {
        return "two view changes from one key";
      }
      // Prepared certificates arrive without their payloads here, so each is held to the least the
      // rule allows; the one the plan picks is checked against its block's own threshold below.
      String p = ViewChangeRules.problem(vc, chain, schedule, this::certThresholdLenient,
          (h, d, mm) -> quorum.lowest(mm));
      if (p != null) {
        return "view change from " + vc.sender() + ": " + p;
      }
    }
    int needed = viewChangeThreshold(nv.height());
    if (distinct.size() < needed) {
      return "fewer than " + needed + " view changes";
    }
    // One height for all: a view change from below it may be stale (its sender may since have
    // rejoined a lower view and voted above it), so it must not count towards the quorum.
    for (ViewChange vc : distinct.values()) {
      if (vc.height() != nv.height()) {
        return "view change from " + vc.sender() + " is for height " + vc.height() + ", not " + nv.height();
      }
    }
    ViewChangeRules.Plan plan = ViewChangeRules.plan(distinct.values());
    if (plan.height() != nv.height()) {
      return "starts at height " + nv.height() + ", the view changes say " + plan.height();
    }
    PrePrepare re = nv.reproposal();
    if (plan.source() == null) {
      return re == null ? null : "re-proposes where nothing prepared";
    }
    if (re == null || !re.digest().equals(plan.digest()) || re.view() != nv.view() || re.height() != nv.height()
        || !re.sender().equals(nv.sender()) || !re.blockchainId().equals(chain) || re.payload() == null) {
      return "must re-propose " + plan.digest() + " at height " + nv.height();
    }
    PreparedCertificate source = plan.source().prepared();
    if (!source.hasQuorum(chain, m, blockThreshold(re.height(), re.digest(), re.payload()))) {
      return "the re-proposed block's prepared certificate lacks the votes that block needs";
    }
    return null;
  }

  private void onFetch(Fetch f) {
    if (!schedule.at(committedHeight + 1).contains(f.sender()) && !schedule.at(f.height()).contains(f.sender())) {
      reject(RejectReason.UNAUTHORIZED, f, "not an authorized consensus key");
      return;
    }
    if (f.height() < 1 || f.toHeight() < f.height() || f.toHeight() - f.height() >= config.fetchBatch()) {
      reject(RejectReason.MALFORMED, f, "fetch range must be 1 <= from <= to < from + " + config.fetchBatch());
      return;
    }
    if (f.height() <= committedHeight) {
      out.add(new Action.ServeFetch(f.sender(), f.height(), Math.min(f.toHeight(), committedHeight)));
    }
  }

  private void onBlock(Block b) {
    if (b.height() <= committedHeight) {
      reject(RejectReason.STALE, b, "height " + b.height() + " already committed");
      return;
    }
    if (!schedule.at(committedHeight + 1).contains(b.sender()) && !schedule.at(b.height()).contains(b.sender())) {
      reject(RejectReason.UNAUTHORIZED, b, "not an authorized consensus key");
      return;
    }
    if (b.height() > committedHeight + config.fetchBatch()) {
      reject(RejectReason.OUT_OF_WINDOW, b, "block beyond what was asked");
      return;
    }
    CommitCertificate c = b.certificate();
    if (c == null || c.height() != b.height() || c.view() != b.view() || !c.digest().equals(b.digest())
        || !c.blockchainId().equals(chain) || b.payload() == null) {
      reject(RejectReason.INVALID_CERTIFICATE, b, "certificate does not match the block");
      return;
    }
    // Membership of that height is checked when it becomes the next one to commit.
    catchUp.offer(b);
  }

  // --- progress: the normal case and commits -------------------------------------------------------

  private void progress() {
    while (appliedHeight == committedHeight) {
      long h = committedHeight + 1;
      if (commitFetched(h) || (active && normalCase(h)) || commitFromLog(h)) {
        continue;
      }
      if (!active) {
        tryNewView();
      }
      return;
    }
  }

  private boolean commitFetched(long h) {
    Block b = catchUp.take(h);
    if (b == null) {
      return false;
    }
    Membership m = schedule.at(h);
    if (!b.certificate().hasQuorum(m.keys(), blockThreshold(h, b.digest(), b.payload()))) {
      reject(RejectReason.INVALID_CERTIFICATE, b, "certificate lacks a quorum of authorized commits");
      return false;
    }
    Verdict verdict = judged(h, b.payload(), b.digest(), false, b.sender());
    if (verdict == null) {
      catchUp.offer(b); // keep it: the host has not answered yet (still fetching what it needs)
      return false;
    }
    switch (verdict) {
      case INVALID -> {
        reject(RejectReason.INVALID_PAYLOAD, b, "block rejected by the ledger");
        return false;
      }
      case VALID -> { }
    }
    commit(b.certificate(), b.payload());
    return true;
  }

  /** Sends this replica's PREPARE and COMMIT when due; true only if it committed. */
  private boolean normalCase(long h) {
    if (h > highWatermark() || h < viewStartHeight) {
      return false; // wait for a stable checkpoint, or for the blocks the NEW-VIEW proved
    }
    VoteLog.Round r = log.peek(h, view);
    if (r == null || r.prePrepare == null) {
      return false;
    }
    Membership m = schedule.at(h);
    PrePrepare pp = r.prePrepare;
    if (!pp.sender().equals(m.primary(view))) {
      r.prePrepare = null; // admitted before a membership change made someone else primary
      return false;
    }
    byte[] payload = log.payload(h, pp.digest());
    if (!r.validated) {
      Verdict verdict = judged(h, payload, pp.digest(), true, pp.sender());
      if (verdict == null) {
        return false; // the host answers later (Event.Validated); the view timer bounds the wait
      }
      switch (verdict) {
        case INVALID -> {
          reject(RejectReason.INVALID_PAYLOAD, pp, "proposal rejected by the ledger");
          r.prePrepare = null;
          startViewChange(view + 1);
          return false;
        }
        case VALID -> r.validated = true;
      }
    }
    if (!m.contains(me)) {
      return false; // not a voter at this height: follow by certificates only
    }
    if (!r.sentPrepare) {
      r.sentPrepare = true;
      lastVotedHeight = Math.max(lastVotedHeight, h);
      Prepare p = sign.prepare(view, h, pp.digest());
      r.prepares.put(me, p);
      out.add(new Action.Broadcast(p));
    }
    if (!r.sentCommit) {
      List<Prepare> matching = r.prepares.values().stream()
          .filter(p -> p.digest().equals(pp.digest()) && m.contains(p.sender())).toList();
      if (matching.size() >= blockThreshold(h, pp.digest(), payload)) {
        prepared = new PreparedCertificate(pp, matching);
        preparedPayload = payload;
        r.sentCommit = true;
        Commit c = sign.commit(view, h, pp.digest());
        r.commits.put(me, c);
        out.add(new Action.Broadcast(c));
      }
    }
    return false;
  }

  /** Commits when one view holds a threshold of matching commits and the payload is known. */
  private boolean commitFromLog(long h) {
    Membership m = schedule.at(h);
    for (Map.Entry<Long, VoteLog.Round> e : log.roundsAt(h).entrySet()) {
      Map<String, List<Commit>> byDigest = new TreeMap<>();
      for (Commit c : e.getValue().commits.values()) {
        if (m.contains(c.sender())) {
          byDigest.computeIfAbsent(c.digest(), d -> new ArrayList<>()).add(c);
        }
      }
      for (Map.Entry<String, List<Commit>> d : byDigest.entrySet()) {
        byte[] payload = log.payload(h, d.getKey());
        if (payload == null) {
          // Without the block we cannot tell what it needs: at least the least the rule allows.
          if (d.getValue().size() >= quorum.lowest(m)) {
            hintFetch(d.getValue().get(0).sender(), h); // certified, but we never saw the proposal
          }
          continue;
        }
        if (d.getValue().size() < blockThreshold(h, d.getKey(), payload)) {
          continue;
        }
        List<Commit> commits = new ArrayList<>(d.getValue());
        commits.sort(Comparator.comparing(Commit::sender));
        CommitCertificate cert = new CommitCertificate(chain, e.getKey(), h, d.getKey(), commits);
        Verdict verdict = judged(h, payload, d.getKey(), false, commits.get(0).sender());
        if (verdict == null) {
          return false;
        }
        switch (verdict) {
          case INVALID -> {
            // A certified block our ledger refuses: do not apply it; an operator must look.
            out.add(new Action.Rejected(RejectReason.INVALID_PAYLOAD, null, "certified block " + h + " refused"));
            return false;
          }
          case VALID -> { }
        }
        commit(cert, payload);
        return true;
      }
    }
    return false;
  }

  /**
   * The host's verdict on block h; null while it has not answered, after asking it
   * ({@link Action.Validate}) unless already asked since the last {@link Event.Wake}.
   */
  private Verdict judged(long h, byte[] payload, String digest, boolean proposal, String from) {
    Judged key = new Judged(h, digest, proposal);
    Verdict v = verdicts.get(key);
    if (v == null && asked.add(key)) {
      out.add(new Action.Validate(h, view, digest, payload, proposal, from));
    }
    return v;
  }

  private void commit(CommitCertificate cert, byte[] payload) {
    long h = cert.height();
    asked.clear(); // all of them were about this height
    verdicts.clear();
    recentCommits.put(h, new CommittedAt(cert.digest(), blockThreshold(h, cert.digest(), payload)));
    recentCommits.headMap(h - config.logWindow()).clear();
    out.add(new Action.Committed(h, cert.view(), cert.digest(), payload, cert));
    VoteLog.Round mine = log.peek(h, cert.view());
    // Remember that we voted in this view, so a late pre-prepare does not make us vote twice.
    revotedView = mine != null && mine.sentCommit ? cert.view() : -1;
    committedHeight = h;
    committedDigest = cert.digest();
    committedCert = cert;
    log.dropUpTo(h);
    prepared = null;
    preparedPayload = null;
    consecutiveViewChanges = 0;
    transactionsWaiting = false;
    out.add(new Action.CancelTimer(TimerId.Kind.VIEW));
    out.add(new Action.CancelTimer(TimerId.Kind.PROPOSE));
    if (cert.view() > view || (cert.view() == view && !active)) {
      // A certificate in a later view proves that view was installed by correct replicas.
      enterView(cert.view());
      viewStartHeight = 0;
    } else if (!active && aloneInViewChange()) {
      // The others are deciding blocks in a lower view and no correct one asks for ours: we are
      // the one that fell behind (asleep, cut off, booted early). Rejoin their live view; safe
      // because we vote there only above this height (docs/consensus.md, "Rejoining a live view").
      viewChanges.remove(me);
      enterView(cert.view());
      viewStartHeight = 0;
    } else if (!active) {
      // Still waiting for NEW-VIEW: tell the new primary how far we got.
      sendViewChange();
    }
    Membership m = schedule.at(h);
    catchUp.committed(h, view, schedule.at(h + 1).keys(), out);
    if (h % config.checkpointInterval() == 0 && m.contains(me)) {
      Checkpoint cp = sign.checkpoint(view, h, cert.digest());
      checkpoints.add(cp);
      lastCheckpoint = cp;
      out.add(new Action.Broadcast(cp));
      checkpoints.tryStabilize(cp, m, certThreshold(h, cp.digest()));
    }
  }

  // --- view change ------------------------------------------------------------------------------------

  private void startViewChange(long target) {
    out.add(new Action.CancelTimer(TimerId.Kind.PROPOSE));
    view = target;
    active = false;
    waitTimerArmed = false;
    consecutiveViewChanges++;
    sendViewChange();
    armViewTimer();
  }

  /**
   * The view timer. While changing views it runs only once a threshold of keys asked for the
   * same view (PBFT's rule): a replica whose timer fired early must not run through views alone,
   * always one ahead of the others, so that no view ever gathers a quorum.
   */
  private void armViewTimer() {
    TimerId id = new TimerId(TimerId.Kind.VIEW, view, committedHeight + 1);
    if (active) {
      busyTimer = transactionsWaiting;
      out.add(new Action.StartTimer(id, timeouts.height(transactionsWaiting, consecutiveViewChanges)));
      return;
    }
    if (waitTimerArmed) {
      return; // started once for this view; restarting it on every message would postpone it forever
    }
    Membership m = schedule.at(committedHeight + 1);
    long asking = viewChanges.values().stream().filter(vc -> vc.view() >= view && m.contains(vc.sender())).count();
    if (asking >= viewChangeThreshold(committedHeight + 1)) {
      waitTimerArmed = true;
      out.add(new Action.StartTimer(id, timeouts.newView(consecutiveViewChanges)));
    } else {
      out.add(new Action.CancelTimer(TimerId.Kind.VIEW));
    }
  }

  private void sendViewChange() {
    long h = committedHeight + 1;
    if (!schedule.at(h).contains(me)) {
      return;
    }
    PreparedCertificate p = prepared != null && prepared.height() == h ? prepared : null;
    byte[] payload = p == null ? null : preparedPayload;
    ViewChange vc = sign.viewChange(view, h, committedCert, p, payload);
    viewChanges.put(me, vc);
    out.add(new Action.Broadcast(vc));
  }

  /** As the primary of the view being entered: a NEW-VIEW once a threshold of view changes agree. */
  private void tryNewView() {
    // All view changes of a NEW-VIEW name one height (see newViewProblem): the highest height
    // that a threshold of them reached. Those behind fetch and send their view change again.
    TreeMap<Long, List<ViewChange>> byHeight = new TreeMap<>(Comparator.reverseOrder());
    for (ViewChange vc : viewChanges.values()) {
      if (vc.view() == view) {
        byHeight.computeIfAbsent(vc.height(), k -> new ArrayList<>()).add(vc);
      }
    }
    List<ViewChange> set = null;
    for (Map.Entry<Long, List<ViewChange>> e : byHeight.entrySet()) {
      Membership m = schedule.at(e.getKey());
      List<ViewChange> at = new ArrayList<>(e.getValue());
      at.removeIf(vc -> !m.contains(vc.sender()));
      if (at.size() >= viewChangeThreshold(e.getKey())) {
        set = at;
        break;
      }
    }
    if (set == null) {
      return; // those behind fetch (onViewChange hinted them) and send their view change again
    }
    long height = set.get(0).height();
    Membership m = schedule.at(height);
    if (!me.equals(m.primary(view))) {
      return;
    }
    int needed = viewChangeThreshold(height);
    // Exactly a threshold of them (any quorum is safe; the size grows as threshold^2).
    set.sort(Comparator.comparing((ViewChange vc) -> vc.prepared() == null ? -1 : vc.prepared().view(),
        Comparator.reverseOrder()).thenComparing(ViewChange::sender));
    set = new ArrayList<>(set.subList(0, needed));
    ViewChangeRules.Plan plan = ViewChangeRules.plan(set);
    if (committedHeight < plan.height() - 1) {
      ViewChange ahead = set.stream().filter(vc -> vc.height() == plan.height()).findFirst().orElseThrow();
      hintFetch(ahead.sender(), plan.height() - 1);
      return; // build on the same chain as the view changes before proposing anything
    }
    if (committedHeight >= plan.height()) {
      return; // our refreshed view change is on its way; wait for it to be the highest
    }
    PrePrepare re = null;
    if (plan.source() != null) {
      byte[] payload = log.payload(plan.height(), plan.digest());
      if (payload == null) {
        payload = plan.source().preparedPayload();
      }
      if (payload == null) {
        return; // wait for a view change that carries it
      }
      re = sign.prePrepare(view, plan.height(), plan.digest(), payload);
    }
    List<ViewChange> stripped = set.stream().sorted(Comparator.comparing(ViewChange::sender))
        .map(ViewChange::withoutPayload).toList();
    NewView nv = sign.newView(view, plan.height(), stripped, re);
    out.add(new Action.Broadcast(nv));
    installNewView(nv);
  }

  private void installNewView(NewView nv) {
    enterView(nv.view());
    viewStartHeight = nv.height();
    PrePrepare re = nv.reproposal();
    if (re != null) {
      if (re.height() == committedHeight && re.digest().equals(committedDigest)) {
        revote(re);
      } else if (re.height() > committedHeight && re.height() <= committedHeight + config.logWindow()) {
        VoteLog.Round r = log.round(re.height(), re.view());
        if (r != null) {
          if (r.prePrepare != null && !r.prePrepare.digest().equals(re.digest())) {
            // Proposed early, then forced elsewhere by its own NEW-VIEW: the forced one stands.
            out.add(new Action.ReportEquivocation(re.sender(), r.prePrepare.withoutPayload(), re.withoutPayload()));
            out.add(new Action.Rejected(RejectReason.EQUIVOCATION, re.sender(), "pre-prepare differs from NEW-VIEW"));
            r.validated = false;
          }
          r.prePrepare = re;
          log.putPayload(re.height(), re.digest(), re.payload());
        }
      }
    }
    if (committedHeight < nv.height() - 1) {
      ViewChange ahead = nv.viewChanges().stream().max(Comparator.comparingLong(ViewChange::height)).orElseThrow();
      hintFetch(ahead.sender(), nv.height() - 1);
    }
    if (appliedHeight == committedHeight) {
      armHeight();
    }
  }

  private void enterView(long v) {
    view = v;
    active = true;
    viewChanges.values().removeIf(vc -> vc.view() <= v);
    out.add(new Action.ViewChanged(v, schedule.at(committedHeight + 1).primary(v)));
  }

  // --- timers and fetch --------------------------------------------------------------------------------

  /** At a new height or view: the view timer, and the propose timer when we are primary. */
  private void armHeight() {
    waitTimerArmed = false;
    armViewTimer();
    if (canPropose()) {
      armPropose();
      if (transactionsWaiting) {
        // The host says so when the mempool stops being empty, not again: a new primary (the old
        // one died with transactions waiting) asks now rather than one block interval later.
        out.add(new Action.BuildBlock(view, committedHeight + 1, false));
      }
    }
  }

  private void armPropose() {
    proposeWaitedMs = 0;
    out.add(new Action.StartTimer(new TimerId(TimerId.Kind.PROPOSE, view, committedHeight + 1),
        config.blockIntervalMs()));
  }

  private void hintFetch(String from, long upTo) {
    catchUp.hint(from, upTo, committedHeight, view, out);
  }

  // --- thresholds (docs/quorum.md) ----------------------------------------------------------------------

  /** Never below a simple majority nor above N, whatever the host's rule says. */
  private static int clamp(int t, Membership m) {
    return Math.max(Quorums.majority(m.size()), Math.min(m.size(), t));
  }

  /**
   * Votes block (h, digest) needs. The rule reads the block (its timestamp against its parent's), so
   * it is asked only for the next height, whose parent this replica committed; otherwise, or without
   * the payload, the membership's threshold.
   */
  private int blockThreshold(long h, String digest, byte[] payload) {
    Membership m = schedule.at(h);
    if (payload == null || h != committedHeight + 1) {
      return m.threshold();
    }
    return clamp(quorum.forBlock(h, digest, payload, m), m);
  }

  /**
   * What a certificate for (h, digest) needs when it serves to move watermarks: the threshold we
   * recorded if we committed h (another digest at a height we committed can never be certified),
   * the block's own if it is the next height and we hold it, else the membership's threshold.
   */
  private int certThreshold(long h, String digest) {
    Membership m = schedule.at(h);
    CommittedAt c = recentCommits.get(h);
    if (c != null) {
      return c.digest().equals(digest) ? c.threshold() : m.size() + 1;
    }
    return blockThreshold(h, digest, log.payload(h, digest));
  }

  /**
   * As {@link #certThreshold} for certificates inside view changes: for a block this replica cannot
   * judge (not committed here, payload unknown) the least the rule allows, so a replica that missed
   * an emergency block still accepts the view changes of those that committed it. With the strict
   * rule that is the membership's threshold, unchanged.
   */
  private int certThresholdLenient(long h, String digest, Membership m) {
    CommittedAt c = recentCommits.get(h);
    if (c != null) {
      return c.digest().equals(digest) ? c.threshold() : m.size() + 1;
    }
    byte[] payload = log.payload(h, digest);
    if (payload != null && h == committedHeight + 1) {
      return blockThreshold(h, digest, payload);
    }
    return clamp(quorum.lowest(m), m);
  }

  /** VIEW-CHANGEs a NEW-VIEW for height h needs now. */
  private int viewChangeThreshold(long h) {
    Membership m = schedule.at(h);
    return clamp(quorum.forViewChange(h, m), m);
  }

  private void reject(RejectReason reason, Envelope e, String detail) {
    out.add(new Action.Rejected(reason, e == null ? null : e.sender(), detail));
  }
}
