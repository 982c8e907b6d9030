package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Crashes, stalls, view changes and their timers, with n = 4 (f = 1, threshold 3). */
class FaultToleranceTest {
  @Test
  void oneOfFourCrashedStillCommits() {
    SimNetwork net = new SimNetwork(4, 2);
    net.startAll();
    SimNetwork.Node backup = backupOf(net, 0);
    net.crash(backup);
    assertThat(net.allUpReach(8, 60_000)).isTrue();
    net.assertAgreement();
    assertThat(backup.height()).isZero();
  }

  @Test
  void twoOfFourCrashedCommitNothingUntilOneReturns() {
    SimNetwork net = new SimNetwork(4, 3);
    net.startAll();
    assertThat(net.allUpReach(3, 60_000)).isTrue();
    List<SimNetwork.Node> backups = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).toList();
    net.crash(backups.get(0));
    net.crash(backups.get(1));
    long stuckAt = net.nodes.stream().filter(n -> n.up).mapToLong(SimNetwork.Node::height).max().orElseThrow();
    net.runFor(120_000);
    // Stalled: at most the height that was already in flight, nothing after it.
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.height()).isLessThanOrEqualTo(stuckAt + 1);
    }
    long stalled = net.nodes.stream().mapToLong(SimNetwork.Node::height).max().orElseThrow();
    net.start(backups.get(0));
    assertThat(net.allUpReach(stalled + 5, 600_000)).isTrue();
    net.assertAgreement();
  }

  @Test
  void primaryCrashLeadsToViewChangeAndTheNextPrimaryCommits() {
    SimNetwork net = new SimNetwork(4, 4);
    net.startAll();
    assertThat(net.allUpReach(2, 60_000)).isTrue();
    SimNetwork.Node primary = net.primaryOfView(0);
    net.crash(primary);
    long before = net.nodes.stream().filter(n -> n.up).mapToLong(SimNetwork.Node::height).max().orElseThrow();
    assertThat(net.allUpReach(before + 3, 60_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Node n : net.nodes) {
      if (n.up) {
        assertThat(n.replica.view()).isEqualTo(1);
        assertThat(n.replica.primary()).isEqualTo(net.primaryOfView(1).key);
        assertThat(n.viewsEntered).contains(1L);
      }
    }
    // The blocks after the view change were proposed in view 1.
    SimNetwork.Node any = net.nodes.stream().filter(n -> n.up).findFirst().orElseThrow();
    assertThat(any.chain.lastEntry().getValue().cert().view()).isEqualTo(1);
  }

  @Test
  void viewTimeoutsDoubleWhileNoProgressAndResetAfterIt() {
    SimNetwork net = new SimNetwork(4, 5);
    net.startAll();
    assertThat(net.allUpReach(1, 60_000)).isTrue();
    // The primaries of views 0 and 1 both down: view 1 times out too, so view 2 waits twice as long.
    SimNetwork.Node p0 = net.primaryOfView(0);
    SimNetwork.Node p1 = net.primaryOfView(1);
    net.crash(p0);
    SimNetwork.Node watcher = net.nodes.stream().filter(n -> n.up && n != p1).findFirst().orElseThrow();
    watcher.viewTimeouts.clear();
    long base = net.config.viewTimeoutMs();
    // Only 2 of 4 left while p1 is down too: no view can commit; timeouts keep doubling.
    net.crash(p1);
    net.runFor(base * 20);
    assertThat(watcher.viewTimeouts).contains(base * 2, base * 4, base * 8);
    assertThat(watcher.viewTimeouts).isSortedAccordingTo(Long::compare);
    // p1 returns; commits resume and the next height's timer is back at the base.
    net.start(p1);
    long h = watcher.height();
    assertThat(net.allUpReach(h + 3, 600_000)).isTrue();
    assertThat(watcher.viewTimeouts.get(watcher.viewTimeouts.size() - 1)).isEqualTo(base);
    net.assertAgreement();
  }

  private static SimNetwork.Node backupOf(SimNetwork net, long view) {
    return net.nodes.stream().filter(n -> n != net.primaryOfView(view)).findFirst().orElseThrow();
  }
}
