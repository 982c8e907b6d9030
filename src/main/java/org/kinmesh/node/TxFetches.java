package org.kinmesh.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.kinmesh.chain.CompactBlock;
import org.kinmesh.chain.Transaction;

/**
 * Compact blocks waiting for transactions this node does not have yet, and the transactions that
 * arrived for them. Only transactions some waiting block names are kept (an unsolicited one goes
 * through the mempool's intake instead), at most {@link #MAX_FETCHED}, oldest dropped first. Pure:
 * the Ledger verticle asks peers, runs the timers, and judges the blocks that complete.
 *
 * @param <R> what the caller needs to answer a block once it completes (its request)
 */
final class TxFetches<R> {
  static final int MAX_FETCHED = 8_192;
  /** Blocks waiting at once; a further one is answered "unavailable" at once. */
  static final int MAX_WAITING = 16;

  /** One compact block and what it still misses. */
  static final class Waiting<R> {
    final CompactBlock block;
    final R request;
    final String from;
    final Set<String> missing;
    final long since;
    boolean askedEveryone;

    Waiting(CompactBlock block, R request, String from, List<String> missing, long since) {
      this.block = block;
      this.request = request;
      this.from = from;
      this.missing = new HashSet<>(missing);
      this.since = since;
    }
  }

  private final List<Waiting<R>> waiting = new ArrayList<>();
  private final LinkedHashMap<String, Transaction> fetched = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Transaction> eldest) {
      return size() > MAX_FETCHED;
    }
  };

  /** Registers a block that misses {@code missing}; null when too many already wait. */
  Waiting<R> add(CompactBlock block, R request, String from, List<String> missing, long now) {
    if (waiting.size() >= MAX_WAITING) {
      return null;
    }
    Waiting<R> w = new Waiting<>(block, request, from, missing, now);
    waiting.add(w);
    return w;
  }

  /** Whether some waiting block names this transaction. */
  boolean wants(String hash) {
    for (Waiting<R> w : waiting) {
      if (w.missing.contains(hash)) {
        return true;
      }
    }
    return false;
  }

  /** A transaction that arrived: kept if wanted. */
  void arrived(Transaction tx) {
    if (wants(tx.hash())) {
      fetched.put(tx.hash(), tx);
      for (Waiting<R> w : waiting) {
        w.missing.remove(tx.hash());
      }
    }
  }

  /** A transaction fetched for a block, or null. */
  Transaction get(String hash) {
    return fetched.get(hash);
  }

  /**
   * The waiting blocks that no longer miss anything by {@code lookup} (the mempool and what was
   * fetched), removed from the waiting list.
   */
  List<Waiting<R>> complete(Function<String, Transaction> lookup) {
    List<Waiting<R>> done = new ArrayList<>();
    for (Iterator<Waiting<R>> it = waiting.iterator(); it.hasNext(); ) {
      Waiting<R> w = it.next();
      w.missing.removeIf(h -> lookup.apply(h) != null);
      if (w.missing.isEmpty()) {
        done.add(w);
        it.remove();
      }
    }
    return done;
  }

  /** Waiting blocks older than {@code ageMs}, removed. */
  List<Waiting<R>> expired(long now, long ageMs) {
    List<Waiting<R>> out = new ArrayList<>();
    for (Iterator<Waiting<R>> it = waiting.iterator(); it.hasNext(); ) {
      Waiting<R> w = it.next();
      if (now - w.since >= ageMs) {
        out.add(w);
        it.remove();
      }
    }
    return out;
  }

  List<Waiting<R>> waiting() {
    return List.copyOf(waiting);
  }

  /** A committed block's transactions are in the store now: forget them here. */
  void committed(List<Transaction> txs) {
    for (Transaction tx : txs) {
      fetched.remove(tx.hash());
    }
  }

  int fetchedCount() {
    return fetched.size();
  }
}
