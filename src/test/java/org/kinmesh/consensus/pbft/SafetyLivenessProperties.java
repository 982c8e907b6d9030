package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.kinmesh.consensus.Quorums;

/**
 * Under random delay, reorder, duplication and loss-with-retransmission, with up to f faulty
 * replicas (crashed at random times, some coming back, or one of them lying to half the
 * network), no two correct replicas ever commit different digests at one height, and every
 * correct replica that is up commits the target height within a bounded virtual time.
 */
class SafetyLivenessProperties {
  private static final long VIRTUAL_DEADLINE_MS = 900_000;

  @Property(tries = 40)
  void safeAndLiveUnderFaultsWithAtMostFCrashes(
      @ForAll @IntRange(min = 4, max = 7) int n,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed,
      @ForAll @IntRange(min = 0, max = 100) int dropPercent,
      @ForAll @IntRange(min = 0, max = 30) int duplicatePercent,
      @ForAll @IntRange(min = 1, max = 200) int maxDelayMs,
      @ForAll boolean crashedOnesReturn,
      @ForAll boolean oneLiar) {
    SimNetwork net = new SimNetwork(n, seed).faults(new SimNetwork.Faults(1, maxDelayMs,
        duplicatePercent / 100.0, dropPercent / 200.0, 3_000));
    Random random = new Random(seed ^ 0x5eed);
    int f = Quorums.f(n);
    int crashes = random.nextInt(f + 1);
    List<SimNetwork.Node> victims = new ArrayList<>(net.nodes);
    java.util.Collections.shuffle(victims, random);
    // One of the f faulty nodes may lie instead: it tells half the network another block
    // in every pre-prepare, prepare and commit it sends.
    if (oneLiar && f >= 1) {
      victims.get(f - 1).byzantine = true;
      crashes = Math.min(crashes, f - 1);
    }
    victims = victims.subList(0, crashes);
    net.startAll();
    // Crash the victims at random moments in the first 10 virtual seconds.
    for (SimNetwork.Node v : victims) {
      net.runFor(random.nextInt(5_000));
      net.crash(v);
      net.assertAgreement();
    }
    net.runFor(random.nextInt(5_000));
    if (crashedOnesReturn) {
      victims.forEach(net::start);
    }
    long target = net.nodes.stream().mapToLong(SimNetwork.Node::height).max().orElseThrow() + 5;
    boolean live = net.runUntil(() -> net.nodes.stream().filter(x -> x.up && !x.byzantine)
        .allMatch(x -> x.height() >= target), VIRTUAL_DEADLINE_MS);
    net.assertAgreement();
    assertThat(live).as("every up replica reaches height %d; heights %s", target,
        net.nodes.stream().map(x -> x.up ? x.height() + "@v" + x.replica.view() : "down").toList()).isTrue();
  }
}
