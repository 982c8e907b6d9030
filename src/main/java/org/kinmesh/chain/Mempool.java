package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transactions waiting for a block, in arrival order. Bounded in count and bytes so a flood of
 * valid-looking submissions cannot exhaust memory; one transaction per (sender, nonce), so a
 * sender cannot queue two versions of one step. Single-owner, not thread-safe: the verticle
 * that proposes blocks owns it.
 */
public final class Mempool {
  /** Why an add was refused, or that it was taken. */
  public enum AddResult { ADDED, DUPLICATE, NONCE_TAKEN, FULL }

  private final int maxCount;
  private final long maxBytes;
  private record Entry(Transaction tx, int size) {}

  private final LinkedHashMap<String, Entry> byHash = new LinkedHashMap<>();
  private final Map<String, String> hashBySenderNonce = new HashMap<>();
  private long bytes;

  public Mempool(int maxCount, long maxBytes) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  public AddResult add(Transaction tx) {
    if (byHash.containsKey(tx.hash())) {
      return AddResult.DUPLICATE;
    }
    String senderNonce = tx.sender() + "/" + tx.nonce();
    if (hashBySenderNonce.containsKey(senderNonce)) {
      return AddResult.NONCE_TAKEN;
    }
    int size = tx.jsonLength();
    if (byHash.size() >= maxCount || bytes + size > maxBytes) {
      return AddResult.FULL;
    }
    byHash.put(tx.hash(), new Entry(tx, size));
    hashBySenderNonce.put(senderNonce, tx.hash());
    bytes += size;
    return AddResult.ADDED;
  }

  /** The oldest transactions first, up to the limits, without removing them. */
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

  /** Drops what a committed block carried, and anything its state makes stale (old nonces). */
  public void onCommitted(Block block, GovernanceState state) {
    for (Transaction tx : block.transactions()) {
      remove(tx.hash());
    }
    List<String> stale = new ArrayList<>();
    for (Entry e : byHash.values()) {
      if (e.tx().nonce() <= state.lastNonce(e.tx().sender())) {
        stale.add(e.tx().hash());
      }
    }
    stale.forEach(this::remove);
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
      hashBySenderNonce.remove(e.tx().sender() + "/" + e.tx().nonce());
      bytes -= e.size();
    }
  }
}
