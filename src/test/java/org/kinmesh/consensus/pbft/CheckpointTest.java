package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Checkpoints every K = 4 heights; the log window is 8 heights above the stable one. */
class CheckpointTest {
  @Test
  void checkpointsBecomeStableAndMoveTheWatermarks() {
    SimNetwork net = new SimNetwork(4, 31);
    net.startAll();
    assertThat(net.allUpReach(13, 60_000)).isTrue();
    net.runFor(200);
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.replica.lowWatermark()).isEqualTo(12);
      assertThat(n.replica.highWatermark()).isEqualTo(20);
    }
  }

  @Test
  void withoutStableCheckpointsNothingCommitsAboveTheHighWatermark() {
    SimNetwork net = new SimNetwork(4, 32);
    net.lose = e -> e instanceof Envelope.Checkpoint;
    net.startAll();
    net.runFor(60_000);
    // Low stays 0, so heights 1..8 commit and 9 never starts; waiting on it is no reason for a view change.
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.height()).isEqualTo(8);
      assertThat(n.replica.lowWatermark()).isZero();
      assertThat(n.replica.view()).isZero();
    }
    // The network stops losing them; the next resend (on the view timer) opens the window.
    net.lose = e -> false;
    assertThat(net.allUpReach(12, 120_000)).isTrue();
    net.assertAgreement();
  }
}
