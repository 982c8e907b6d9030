package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * A replica cut off for any time (a laptop that slept, a node booted long before the others)
 * comes back in a view of its own, ahead of the others. Within a bounded virtual time after the
 * network heals it must vote again: its own COMMIT appears in a certificate of a block
 * committed after the healing (docs/consensus.md, "Rejoining a live view").
 */
class RejoinProperties {
  /** Sim config: heartbeat 500 ms, view timeout 1 s; the bound is a few heartbeats and timeouts... */
  static final long REJOIN_BOUND_MS = 12_000;
  /**
   * ...plus the catch-up on the blocks it missed (fetched 4 at a time in the sim, under 200 ms a
   * round trip): a replica away for long must first fetch what the others decided meanwhile.
   */
  static final long CATCH_UP_MS_PER_BLOCK = 100;

  @Property(tries = 40, shrinking = ShrinkingMode.OFF)
  void anIsolatedReplicaVotesAgainSoonAfterHealing(
      @ForAll @IntRange(min = 4, max = 7) int n,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed,
      @ForAll @IntRange(min = 0, max = 120_000) int isolatedMs,
      @ForAll @IntRange(min = 1, max = 100) int maxDelayMs,
      @ForAll @IntRange(min = 0, max = 30) int dropPercent,
      @ForAll boolean startedBeforeTheOthers) {
    SimNetwork net = new SimNetwork(n, seed).faults(new SimNetwork.Faults(1, maxDelayMs, 0.05,
        dropPercent / 100.0, 1_000));
    Random random = new Random(seed ^ 0x4e10);
    SimNetwork.Node lone = net.nodes.get(random.nextInt(n));
    if (startedBeforeTheOthers) {
      // It boots alone, times out, and asks for a view nobody else is in.
      net.start(lone);
      net.runFor(isolatedMs);
      net.nodes.stream().filter(x -> x != lone).forEach(net::start);
      net.reconnectAll();
    } else {
      net.startAll();
      net.runFor(random.nextInt(3_000));
      lone.isolated = true;
      net.runFor(isolatedMs);
      lone.isolated = false;
      net.reconnectAll();
    }
    long healedAt = net.now;
    long heightAtHeal = net.nodes.stream().mapToLong(SimNetwork.Node::height).max().orElseThrow();
    long bound = REJOIN_BOUND_MS + CATCH_UP_MS_PER_BLOCK * (heightAtHeal - lone.height());
    boolean voted = net.runUntil(() -> votedAbove(net, lone, heightAtHeal), bound);
    net.assertAgreement();
    assertThat(voted).as("node %d (view %d, in view change %s) votes within %d ms of healing at %d;"
            + " others' views %s, heights %s", lone.index, lone.replica.view(), lone.replica.inViewChange(),
        bound, healedAt,
        net.nodes.stream().map(x -> x.replica == null ? -1 : x.replica.view()).toList(),
        net.nodes.stream().map(SimNetwork.Node::height).toList()).isTrue();
  }

  /**
   * Its COMMIT is in the certificate of a block above {@code height} held by some replica (its own
   * count: a replica that only follows by certificate holds the others' commits, never its own).
   */
  static boolean votedAbove(SimNetwork net, SimNetwork.Node node, long height) {
    for (SimNetwork.Node other : net.nodes) {
      for (SimNetwork.Stored s : other.chain.tailMap(height, false).values()) {
        if (s.cert().signers().contains(node.key)) {
          return true;
        }
      }
    }
    return false;
  }
}
