package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.consensus.QuorumPolicy;

class MembershipChangeTest {
  private static final long CHANGE_IN_BLOCK = 5;

  @Test
  void aKeyAddedInBlockFiveRaisesTheThresholdFromHeightSixOnEveryReplica() {
    SimNetwork net = new SimNetwork(4, 21);
    SimNetwork.Node newcomer = net.addSpareNode();
    List<String> five = new ArrayList<>(net.initial.keys());
    five.add(newcomer.key);
    Membership after = Membership.of(five, QuorumPolicy.defaults());
    assertThat(net.initial.threshold()).isEqualTo(3);
    assertThat(after.threshold()).isEqualTo(4);
    net.membershipAfter = h -> h == CHANGE_IN_BLOCK ? after : null;
    net.startAll();
    net.start(newcomer); // follows from genesis; may vote from height 6 on
    assertThat(net.allUpReach(12, 120_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Node n : net.nodes) {
      for (SimNetwork.Stored s : n.chain.values()) {
        Membership m = s.height() <= CHANGE_IN_BLOCK ? net.initial : after;
        // The certificate is cut the moment the threshold is reached: exactly that many signers.
        assertThat(s.cert().signers()).as("node %d height %d", n.index, s.height()).hasSize(m.threshold());
        assertThat(m.keys()).containsAll(s.cert().signers());
        assertThat(CommitCertificate.verify(s.cert(), m.keys(), m.threshold())).isTrue();
      }
      assertThat(n.replica.membership()).isEqualTo(after);
    }
    // The newcomer signed some of the later certificates: it became a voter.
    assertThat(newcomer.chain.tailMap(CHANGE_IN_BLOCK + 1).values().stream()
        .anyMatch(s -> s.cert().signers().contains(newcomer.key))).isTrue();
  }

  @Test
  void aKeyRemovedInBlockFourStopsCountingFromHeightFive() {
    SimNetwork net = new SimNetwork(5, 22);
    SimNetwork.Node leaving = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).findFirst().orElseThrow();
    List<String> four = new ArrayList<>(net.initial.keys());
    four.remove(leaving.key);
    Membership after = Membership.of(four, QuorumPolicy.defaults());
    net.membershipAfter = h -> h == 4 ? after : null;
    net.startAll();
    assertThat(net.allUpReach(10, 120_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Node n : net.nodes) {
      for (SimNetwork.Stored s : n.chain.tailMap(5L).values()) {
        assertThat(s.cert().signers()).doesNotContain(leaving.key).hasSize(3);
      }
    }
    // It stops voting by itself; a vote it signs anyway is refused and counted.
    SimNetwork.Node member = net.nodes.stream().filter(n -> n != leaving).findFirst().orElseThrow();
    long before = member.rejected(RejectReason.UNAUTHORIZED);
    long next = member.height() + 2; // not yet committed when it arrives
    net.send(member, Fixture.prepare(leaving.identity, SimNetwork.CHAIN, member.replica.view(), next,
        Fixture.digest(Fixture.payload("x"))));
    net.runFor(100);
    assertThat(member.rejected(RejectReason.UNAUTHORIZED)).isEqualTo(before + 1);
  }
}
