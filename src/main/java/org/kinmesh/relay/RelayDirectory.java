package org.kinmesh.relay;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's in-memory view of its database: registered blockchains, their authorized keys
 * and live entries. The database is the truth; this view is written only after a commit and
 * rebuilt from the database at start-up, so lookups never touch the disk. Thread-safe, since
 * every HTTP verticle instance reads it.
 */
public final class RelayDirectory {

  /** One registered blockchain. */
  public static final class Chain {
    final String genesisHash;
    final String adminPubkey;
    final long createdAt;
    final Set<String> authorized = ConcurrentHashMap.newKeySet();
    final Map<String, LiveEntry> live = new ConcurrentHashMap<>();
    /** Keys the operator cut off with authorize_node "remove": refused whatever the chain says. */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    /** The followed chain's head (null until the relay follows it) and its keys: key -> active. */
    volatile org.kinmesh.chain.GovernanceState followed;
    volatile Map<String, Boolean> chainKeys = Map.of();

    Chain(String genesisHash, String adminPubkey, long createdAt) {
      this.genesisHash = genesisHash;
      this.adminPubkey = adminPubkey;
      this.createdAt = createdAt;
    }

    public String genesisHash() {
      return genesisHash;
    }

    public String adminPubkey() {
      return adminPubkey;
    }

    /**
     * The operator's denial first; then the chain, for every key it has registered (active or
     * not); the operator's list only for keys the chain does not know (docs/relay.md).
     */
    public boolean isAuthorized(String key) {
      if (denied.contains(key)) {
        return false;
      }
      Boolean onChain = chainKeys.get(key);
      return onChain != null ? onChain : authorized.contains(key);
    }

    /** The followed head, or null while the relay does not follow this chain. */
    public org.kinmesh.chain.GovernanceState followed() {
      return followed;
    }
  }

  /** A node's registered endpoint. */
  public record LiveEntry(String ip, int port, long lastSeen) {}

  private final Map<String, Chain> chains = new ConcurrentHashMap<>();
  private final java.util.List<java.util.function.BiConsumer<String, String>> deauthorizeListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Called with (blockchain_id, key) after a key leaves a blockchain (relayed traffic closes its connection). */
  public void onDeauthorize(java.util.function.BiConsumer<String, String> listener) {
    deauthorizeListeners.add(listener);
  }

  public Chain chain(String blockchainId) {
    return chains.get(blockchainId);
  }

  void putChain(String blockchainId, String genesisHash, String adminPubkey, long createdAt) {
    chains.putIfAbsent(blockchainId, new Chain(genesisHash, adminPubkey, createdAt));
  }

  void authorize(String blockchainId, Collection<String> keys) {
    Chain c = chains.get(blockchainId);
    if (c != null) {
      c.authorized.addAll(keys);
    }
  }

  void deauthorize(String blockchainId, String key) {
    Chain c = chains.get(blockchainId);
    if (c != null) {
      c.authorized.remove(key);
      c.denied.add(key);
      c.live.remove(key);
    }
    deauthorizeListeners.forEach(l -> l.accept(blockchainId, key));
  }

  /** The operator lists a key again: lifts its denial (the chain still decides the keys it knows). */
  void undeny(String blockchainId, String key) {
    Chain c = chains.get(blockchainId);
    if (c != null) {
      c.denied.remove(key);
    }
  }

  /** Loaded from the database at start-up. */
  void deny(String blockchainId, String key) {
    Chain c = chains.get(blockchainId);
    if (c != null) {
      c.denied.add(key);
    }
  }

  /**
   * Takes the followed chain's new head. Keys that lose access lose their live entry and their
   * relayed connections at once; returns them.
   */
  java.util.List<String> follow(String blockchainId, org.kinmesh.chain.GovernanceState head) {
    Chain c = chains.get(blockchainId);
    if (c == null) {
      return java.util.List.of();
    }
    Map<String, Boolean> next = ChainFollow.keys(head);
    java.util.List<String> lost = new java.util.ArrayList<>();
    for (Map.Entry<String, Boolean> e : next.entrySet()) {
      if (!e.getValue() && c.isAuthorized(e.getKey())) {
        lost.add(e.getKey());
      }
    }
    c.chainKeys = next;
    c.followed = head;
    for (String key : lost) {
      c.live.remove(key);
      deauthorizeListeners.forEach(l -> l.accept(blockchainId, key));
    }
    return lost;
  }

  void putLive(String blockchainId, String key, LiveEntry entry) {
    Chain c = chains.get(blockchainId);
    if (c != null) {
      c.live.merge(key, entry, (old, neu) -> neu.lastSeen() >= old.lastSeen() ? neu : old);
    }
  }

  /** The entry when its key is authorized and it is younger than the TTL; null otherwise. */
  public LiveEntry lookup(String blockchainId, String key, long nowSecs, long ttlSecs) {
    Chain c = chains.get(blockchainId);
    if (c == null || !c.isAuthorized(key)) {
      return null;
    }
    LiveEntry e = c.live.get(key);
    return e == null || nowSecs - e.lastSeen() >= ttlSecs ? null : e;
  }

  /** Drops entries whose last_seen is before the cutoff; returns how many went. */
  int evictOlderThan(long cutoffSecs) {
    int removed = 0;
    for (Chain c : chains.values()) {
      var it = c.live.values().iterator();
      while (it.hasNext()) {
        if (it.next().lastSeen() < cutoffSecs) {
          it.remove();
          removed++;
        }
      }
    }
    return removed;
  }

  public int liveCount() {
    int n = 0;
    for (Chain c : chains.values()) {
      n += c.live.size();
    }
    return n;
  }

  public int chainCount() {
    return chains.size();
  }
}
