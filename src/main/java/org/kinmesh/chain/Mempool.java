package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Transactions waiting for a block, in arrival order. Bounded in count and bytes so a flood of
 * valid-looking submissions cannot exhaust memory; one transaction per (sender, nonce), so a
 * sender cannot queue two versions of one step. Single-owner, not thread-safe: the verticle
 * that proposes blocks owns it.
 *
 * <p>What a proposer may take follows the ordering rule of docs/chain.md ("Pending transactions"):
 * a sender's transactions go in nonce order, and a small gap in a sender's nonces holds the later
 * ones back (for at most {@link #GAP_HOLD_MS}) because the missing ones were most likely accepted by
 * another node and are still on their way; including a later nonce first would make them invalid
 * for good. Pure: time comes in as an argument.
 */
public final class Mempool {
  /** Why an add was refused, or that it was taken. */
  public enum AddResult { ADDED, DUPLICATE, NONCE_TAKEN, FULL }

  /** A pending transaction that can no longer commit, and why (learnable through the node's API). */
  public record Rejected(Transaction tx, String reason) {}

  /**
   * How long a transaction behind a nonce gap waits for the missing ones: several re-forward rounds
   * (every ~5 s) plus the restart of a node that accepted one and crashed. After that the gap is
   * taken as real (a client that skipped a number) so the sender is not stalled for good.
   */
  public static final long GAP_HOLD_MS = 30_000;
  /**
   * A gap this large is the sender's numbering (the CLI numbers by the clock in milliseconds), not
   * forwards in flight: not held.
   */
  public static final long SPARSE_GAP = 1_000;

  private final int maxCount;
  private final long maxBytes;
  private record Entry(Transaction tx, int size, long addedMs) {}

  private final LinkedHashMap<String, Entry> byHash = new LinkedHashMap<>();
  /** sender -> nonce -> entry. */
  private final Map<String, TreeMap<Long, Entry>> bySender = new HashMap<>();
  private long bytes;

  public Mempool(int maxCount, long maxBytes) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  /** Queues {@code tx}, first seen at {@code nowMs} (a gap's hold counts from there). */
  public AddResult add(Transaction tx, long nowMs) {
    if (byHash.containsKey(tx.hash())) {
      return AddResult.DUPLICATE;
    }
    TreeMap<Long, Entry> mine = bySender.get(tx.sender());
    if (mine != null && mine.containsKey(tx.nonce())) {
      return AddResult.NONCE_TAKEN;
    }
    int size = tx.jsonLength();
    if (byHash.size() >= maxCount || bytes + size > maxBytes) {
      return AddResult.FULL;
    }
    Entry e = new Entry(tx, size, nowMs);
    byHash.put(tx.hash(), e);
    bySender.computeIfAbsent(tx.sender(), k -> new TreeMap<>()).put(tx.nonce(), e);
    bytes += size;
    return AddResult.ADDED;
  }

  /** The oldest transactions first, up to the limits, without removing them (re-forwarding, listing). */
  public List<Transaction> peek(int maxTx, long maxTotalBytes) {
    List<Transaction> out = new ArrayList<>();
    long total = 0;
    for (Entry e : byHash.values()) {
      if (out.size() >= maxTx || total + e.size() > maxTotalBytes) {
        break;
      }
      out.add(e.tx());
      total += e.size();
    }
    return out;
  }

  /**
   * Candidates for the next block on top of {@code s}: senders in order of their oldest pending
   * transaction, each sender's transactions in nonce order up to the first one that is held (a gap
   * of fewer than {@link #SPARSE_GAP} numbers after the sender's previous nonce, first seen less
   * than {@link #GAP_HOLD_MS} ago). The ledger still judges each candidate ({@link Ledger#select}).
   */
  public List<Transaction> proposable(GovernanceState s, long nowMs, int maxTx, long maxTotalBytes) {
    List<Transaction> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    long total = 0;
    for (Entry first : byHash.values()) {
      String sender = first.tx().sender();
      if (!done.add(sender)) {
        continue;
      }
      long prev = s.lastNonce(sender);
      for (Entry e : bySender.get(sender).values()) {
        long nonce = e.tx().nonce();
        if (nonce <= prev) {
          continue; // stale: dropped when the next block commits
        }
        if (!ready(prev, e, nowMs)) {
          break;
        }
        if (out.size() >= maxTx || total + e.size() > maxTotalBytes) {
          return out;
        }
        out.add(e.tx());
        total += e.size();
        prev = nonce;
      }
    }
    return out;
  }

  private static boolean ready(long prev, Entry e, long nowMs) {
    long gap = e.tx().nonce() - prev - 1;
    return gap == 0 || gap >= SPARSE_GAP || nowMs - e.addedMs() >= GAP_HOLD_MS;
  }

  /**
   * Drops what a committed block carried, and answers what can no longer commit: a nonce the
   * sender's last committed one has passed, or a timestamp older than {@code tx_max_age_secs} at
   * the block's time. Everything else stays, even if it is refused for now (a permission may come).
   */
  public List<Rejected> onCommitted(Block block, GovernanceState state) {
    for (Transaction tx : block.transactions()) {
      remove(tx.hash());
    }
    List<Rejected> out = new ArrayList<>();
    long maxAge = state.params().txMaxAgeSecs();
    for (Entry e : byHash.values()) {
      Transaction tx = e.tx();
      long last = state.lastNonce(tx.sender());
      if (tx.nonce() <= last) {
        out.add(new Rejected(tx, "superseded: nonce " + tx.nonce() + " is not above the sender's last committed nonce "
            + last + " (height " + state.height() + "); sign it again with a higher nonce"));
      } else if (tx.timestamp() + maxAge < block.timestamp()) {
        out.add(new Rejected(tx, "expired: timestamp " + tx.timestamp() + " is older than " + maxAge
            + " s at block time " + block.timestamp() + " (height " + state.height() + ")"));
      }
    }
    out.forEach(r -> remove(r.tx().hash()));
    return out;
  }

  /** Takes a transaction out again (its acceptance could not be stored); true if it was pending. */
  public boolean drop(String hash) {
    boolean had = byHash.containsKey(hash);
    remove(hash);
    return had;
  }

  public boolean contains(String hash) {
    return byHash.containsKey(hash);
  }

  /** The pending transaction with this hash, or null. */
  public Transaction get(String hash) {
    Entry e = byHash.get(hash);
    return e == null ? null : e.tx();
  }

  public int size() {
    return byHash.size();
  }

  public long bytes() {
    return bytes;
  }

  private void remove(String hash) {
    Entry e = byHash.remove(hash);
    if (e != null) {
      TreeMap<Long, Entry> mine = bySender.get(e.tx().sender());
      mine.remove(e.tx().nonce());
      if (mine.isEmpty()) {
        bySender.remove(e.tx().sender());
      }
      bytes -= e.size();
    }
  }
}
