package org.kinmesh.consensus.pbft;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.crypto.Hex;

/**
 * The authorized, active consensus keys for a range of heights (sorted, distinct) and the
 * commit threshold. Both come from committed chain data, never from who answered.
 */
public record Membership(List<String> keys, int threshold) {
  public Membership {
    keys = List.copyOf(new TreeSet<>(keys));
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("membership needs at least one key");
    }
    for (String k : keys) {
      if (!Hex.isLowerHex(k, 32)) {
        throw new IllegalArgumentException("not a public key: " + k);
      }
    }
    if (threshold < 1 || threshold > keys.size()) {
      throw new IllegalArgumentException("threshold must be in 1.." + keys.size() + ", got " + threshold);
    }
  }

  /** The strict threshold of the policy for these keys (docs/quorum.md). */
  public static Membership of(Collection<String> keys, QuorumPolicy policy) {
    int n = new TreeSet<>(keys).size();
    return new Membership(List.copyOf(keys), policy.strictThreshold(n));
  }

  public int size() {
    return keys.size();
  }

  /** Round robin over the sorted keys: the same primary on every replica for the same view. */
  public String primary(long view) {
    return keys.get((int) Math.floorMod(view, (long) keys.size()));
  }

  public boolean contains(String key) {
    return keys.contains(key);
  }

  /** Senders that prove at least one correct replica is among them: f + 1. */
  public int weakQuorum() {
    return Quorums.f(keys.size()) + 1;
  }
}
