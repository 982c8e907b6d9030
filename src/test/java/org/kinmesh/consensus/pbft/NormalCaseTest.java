package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NormalCaseTest {
  @Test
  void fourReplicasCommitTheSameSequence() {
    SimNetwork net = new SimNetwork(4, 1);
    net.startAll();
    assertThat(net.allUpReach(10, 60_000)).isTrue();
    net.assertAgreement();
    for (long h = 1; h <= 10; h++) {
      long height = h;
      assertThat(net.nodes.stream().map(n -> n.chain.get(height).digest()).distinct()).hasSize(1);
    }
    // Nothing but harmless lateness was rejected in a fault-free run.
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.rejects.snapshot().keySet()).allMatch(r -> r == RejectReason.STALE);
      assertThat(n.replica.view()).isZero();
    }
  }
}
