package org.kinmesh.node;

import java.util.LinkedHashMap;
import java.util.Map;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.CompactBlock;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.consensus.ProposalTime;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.consensus.pbft.Membership;
import org.kinmesh.consensus.pbft.QuorumRule;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;

/**
 * The consensus host's view of blocks: what the ledger said about each proposal (the full block
 * when valid), the timestamps of recently committed heights, and from those the emergency rule of
 * docs/quorum.md as a {@link QuorumRule}. No I/O: the host carries out the ledger requests; the
 * clock is injected; confined to the host's event loop.
 *
 * <p>The threshold of a block is a function of that block and its parent only: {@link #forBlock}
 * reads the block's timestamp from its verified compact form and the parent's from the committed
 * heights. A payload that does not hash to its digest is never believed.
 */
final class ProposalJudge implements QuorumRule {
  /** Verdicts and parsed headers kept (a few blocks are in flight at most). */
  private static final int KEEP = 256;

  /** What {@link #verdict} found; PENDING: not decided yet (the host does not answer the replica). */
  enum Judgement { VALID, INVALID, PENDING }

  private enum State { ASKED, VALID, INVALID }

  private record Entry(State state, Block block, GovernanceState after, String reason) {}

  private final String chain;
  private final QuorumPolicy policy;
  private final TimeSource clock;
  private final Map<String, Entry> verdicts = lru(KEEP);
  private final Map<String, CompactBlock> headers = lru(KEEP);
  private final Map<Long, Long> committedTimes = lru(KEEP);
  private String lastProblem;

  ProposalJudge(String chain, QuorumPolicy policy, TimeSource clock) {
    this.chain = chain;
    this.policy = policy;
    this.clock = clock;
  }

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }

  /** Block {@code height} committed with this timestamp (the parent of the next one). */
  void committedAt(long height, long timestamp) {
    committedTimes.put(height, timestamp);
  }

  Long committedTime(long height) {
    return committedTimes.get(height);
  }

  /**
   * The compact block a payload holds, if it is one for this chain at this height whose hash is the
   * digest the votes sign; null otherwise ({@link #lastProblem} says why).
   */
  CompactBlock header(long height, String digest, byte[] payload) {
    CompactBlock known = headers.get(digest);
    if (known != null) {
      return known.height() == height ? known : null;
    }
    if (payload == null) {
      lastProblem = "no payload";
      return null;
    }
    CompactBlock cb;
    try {
      cb = CompactBlock.parse(payload);
    } catch (WireException e) {
      lastProblem = "payload is not a compact block: " + e.getMessage();
      return null;
    }
    if (!cb.hash().equals(digest) || cb.height() != height || !cb.blockchainId().equals(chain)) {
      lastProblem = "payload does not match its digest, height or chain";
      return null;
    }
    headers.put(digest, cb);
    return cb;
  }

  String lastProblem() {
    return lastProblem;
  }

  /** The primary's own block: valid by construction (the ledger built it from applied state). */
  void built(Block block, CompactBlock compact, GovernanceState after) {
    headers.put(compact.hash(), compact);
    verdicts.put(compact.hash(), new Entry(State.VALID, block, after, null));
  }

  /**
   * What is known about a proposal now. {@code ask} is run once when the ledger has not been asked
   * yet; the answer comes back through {@link #answered}.
   */
  Judgement verdict(long height, String digest, byte[] payload, boolean proposal, Runnable ask) {
    long nowSecs = clock.nowSeconds();
    CompactBlock cb = header(height, digest, payload);
    if (cb == null) {
      return Judgement.INVALID;
    }
    if (proposal) {
      boolean emergency = emergency(height, cb);
      switch (ProposalTime.judge(cb.timestamp(), nowSecs, emergency)) {
        case REFUSE -> {
          lastProblem = "dated " + (cb.timestamp() - nowSecs) + " s after this node's clock (at most "
              + ProposalTime.MAX_SKEW_SECS + " s)";
          return Judgement.INVALID;
        }
        case WAIT -> {
          return Judgement.PENDING; // an emergency block is not voted for before our clock reaches it
        }
        case OK -> { }
      }
    }
    Entry e = verdicts.get(digest);
    if (e == null) {
      verdicts.put(digest, new Entry(State.ASKED, null, null, null));
      ask.run();
      return Judgement.PENDING;
    }
    return switch (e.state) {
      case ASKED -> Judgement.PENDING;
      case VALID -> Judgement.VALID;
      case INVALID -> {
        lastProblem = e.reason;
        yield Judgement.INVALID;
      }
    };
  }

  /**
   * The ledger's answer for a digest: the full block and the state after it, or why not; null block
   * and reason = ask again later.
   */
  void answered(String digest, Block valid, GovernanceState after, String invalidReason) {
    if (valid != null) {
      verdicts.put(digest, new Entry(State.VALID, valid, after, null));
    } else if (invalidReason != null) {
      verdicts.put(digest, new Entry(State.INVALID, null, null, invalidReason));
    } else {
      verdicts.remove(digest); // unavailable for now: the next check asks again
    }
  }

  /** The full block of a digest the ledger found valid, or null. */
  Block validBlock(String digest) {
    Entry e = verdicts.get(digest);
    return e != null && e.state == State.VALID ? e.block : null;
  }

  /** The state after that block (the ledger's dry run on its parent), or null. */
  GovernanceState stateAfter(String digest) {
    Entry e = verdicts.get(digest);
    return e != null && e.state == State.VALID ? e.after : null;
  }

  /**
   * Whether the block claims the emergency gap. Independent of N on purpose: even where the majority
   * cannot help, waiting for the clock costs an honest block nothing.
   */
  private boolean emergency(long height, CompactBlock cb) {
    Long parent = committedTimes.get(height - 1);
    return parent != null && policy.emergencyMajority() && cb.timestamp() - parent >= policy.emergencyAfterSecs();
  }

  // ---- QuorumRule ----

  @Override
  public int forBlock(long height, String digest, byte[] payload, Membership m) {
    CompactBlock cb = header(height, digest, payload);
    Long parent = committedTimes.get(height - 1);
    if (cb == null || parent == null) {
      return m.threshold();
    }
    return policy.emergencyApplies(m.size(), cb.timestamp() - parent) ? Quorums.majority(m.size()) : m.threshold();
  }

  /** The view-change quorum follows this node's clock: no commit for emergency_after_secs since the parent. */
  @Override
  public int forViewChange(long height, Membership m) {
    Long parent = committedTimes.get(height - 1);
    if (parent == null) {
      return m.threshold();
    }
    return policy.emergencyApplies(m.size(), clock.nowSeconds() - parent) ? Quorums.majority(m.size())
        : m.threshold();
  }

  @Override
  public int lowest(Membership m) {
    return policy.emergencyCanHelp(m.size()) ? Quorums.majority(m.size()) : m.threshold();
  }

  /** Whether the emergency majority applies now to the height after {@code committedHeight}. */
  boolean emergencyDue(long committedHeight, int n) {
    Long parent = committedTimes.get(committedHeight);
    return parent != null && policy.emergencyApplies(n, clock.nowSeconds() - parent);
  }
}
