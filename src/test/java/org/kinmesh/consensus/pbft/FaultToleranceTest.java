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
    // n = 7, f = 2, threshold 5: the primaries of views 0 and 1 both down still leaves a quorum.
    SimNetwork net = new SimNetwork(7, 5);
    net.startAll();
    assertThat(net.allUpReach(1, 60_000)).isTrue();
    SimNetwork.Node p0 = net.primaryOfView(0);
    SimNetwork.Node p1 = net.primaryOfView(1);
    net.crash(p0);
    net.crash(p1);
    SimNetwork.Node watcher = net.nodes.stream().filter(n -> n.up).findFirst().orElseThrow();
    watcher.viewTimeouts.clear();
    long base = net.config.viewTimeoutMs();
    long h = watcher.height();
    assertThat(net.allUpReach(h + 3, 120_000)).isTrue();
    // View 0 (armed before the crash) times out after base; view 1 (dead primary) is given
    // 2 * base, view 2 4 * base, and it commits, after which the next height waits base again.
    assertThat(watcher.viewTimeouts).containsSubsequence(base * 2, base * 4, base);
    assertThat(watcher.viewTimeouts.get(watcher.viewTimeouts.size() - 1)).isEqualTo(base);
    assertThat(watcher.replica.view()).isEqualTo(2);
    net.assertAgreement();
  }

  @Test
  void withoutAQuorumAskingForTheSameViewNoReplicaRunsAheadAlone() {
    SimNetwork net = new SimNetwork(4, 6);
    net.startAll();
    assertThat(net.allUpReach(1, 60_000)).isTrue();
    List<SimNetwork.Node> others = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).toList();
    net.crash(others.get(0));
    net.crash(others.get(1));
    net.runFor(100_000);
    // Two of four cannot gather three view changes: they ask for view 1 and wait, timer stopped.
    for (SimNetwork.Node n : net.nodes) {
      if (n.up) {
        assertThat(n.replica.view()).isLessThanOrEqualTo(1);
      }
    }
  }

  private static SimNetwork.Node backupOf(SimNetwork net, long view) {
    return net.nodes.stream().filter(n -> n != net.primaryOfView(view)).findFirst().orElseThrow();
  }
}
