package org.kinmesh.chain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Transactions whose signature this node already verified, so intake, proposal validation and
 * append verify each one once (Ed25519 is most of a node's CPU under load). Keyed by the
 * transaction hash and the signature: the hash is recomputed from the content whenever a
 * {@link Transaction} is built and covers the sender and every signed field, so the pair names
 * exactly one (message, key, signature) triple. Only a successful verification is remembered,
 * so the cache can never let an unverified or forged transaction through; a miss verifies.
 * Bounded (least recently used goes first) and thread-safe.
 */
public final class SignatureCache implements SignatureCheck {
  /** Room for a full mempool (50,000) and the blocks in flight. */
  public static final int DEFAULT_CAPACITY = 65_536;

  private record Key(String hash, String signature) {}

  private final int capacity;
  private final Map<Key, Boolean> verified;
  private long hits;
  private long misses;

  public SignatureCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.verified = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
        return size() > SignatureCache.this.capacity;
      }
    };
  }

  public SignatureCache() {
    this(DEFAULT_CAPACITY);
  }

  @Override
  public boolean valid(Transaction tx) {
    Key k = new Key(tx.hash(), tx.signature());
    synchronized (this) {
      if (verified.get(k) != null) {
        hits++;
        return true;
      }
      misses++;
    }
    // Verify outside the lock: it is the slow part, and two threads verifying one tx is harmless.
    if (!tx.signatureValid()) {
      return false;
    }
    synchronized (this) {
      verified.put(k, Boolean.TRUE);
    }
    return true;
  }

  public synchronized int size() {
    return verified.size();
  }

  /** Lookups answered without verifying. */
  public synchronized long hits() {
    return hits;
  }

  /** Lookups that had to verify (whether or not the signature held). */
  public synchronized long misses() {
    return misses;
  }
}
