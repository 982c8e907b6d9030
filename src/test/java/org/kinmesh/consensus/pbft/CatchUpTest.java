package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatchUpTest {
  @Test
  void aReplicaThatMissedManyBlocksFetchesThemWithCertificates() {
    SimNetwork net = new SimNetwork(4, 11);
    SimNetwork.Node late = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).findFirst().orElseThrow();
    for (SimNetwork.Node n : net.nodes) {
      if (n != late) {
        net.start(n);
      }
    }
    assertThat(net.allUpReach(20, 120_000)).isTrue();
    net.start(late);
    long target = net.nodes.stream().mapToLong(SimNetwork.Node::height).max().orElseThrow() + 2;
    assertThat(net.allUpReach(target, 120_000)).isTrue();
    net.assertAgreement();
    // Every block it holds carries a certificate that verifies on its own.
    for (SimNetwork.Stored s : late.chain.values()) {
      assertThat(CommitCertificate.verify(s.cert(), net.initial.keys(), net.initial.threshold())).isTrue();
    }
    assertThat(late.chain.keySet()).containsAll(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
  }

  @Test
  void aRestartedReplicaResumesFromItsLastCertifiedBlock() {
    SimNetwork net = new SimNetwork(4, 12);
    net.startAll();
    assertThat(net.allUpReach(6, 60_000)).isTrue();
    SimNetwork.Node node = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).findFirst().orElseThrow();
    net.crash(node);
    net.runFor(5_000);
    net.start(node);
    long target = net.nodes.stream().mapToLong(SimNetwork.Node::height).max().orElseThrow() + 3;
    assertThat(net.allUpReach(target, 120_000)).isTrue();
    net.assertAgreement();
  }
}
