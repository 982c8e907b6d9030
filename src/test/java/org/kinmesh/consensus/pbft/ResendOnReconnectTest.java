package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Links deliver at most once. Messages sent before the links are up are lost for good; when they
 * are view changes, every replica waits in the new view with only its own VIEW-CHANGE, no view
 * timer runs (fewer than a threshold asked), and nothing ever commits. This is what four real
 * nodes hit at start-up when the first proposal and the view changes went out before the links
 * were up. Re-sending {@link Replica#ownPending()} to a peer whose link comes up gets them going.
 */
class ResendOnReconnectTest {
  @Test
  void viewChangesLostBeforeTheLinksCameUpStallForeverUntilResentOnReconnect() {
    SimNetwork net = new SimNetwork(4, 41);
    net.lose = e -> true; // no link is up yet
    net.startAll();
    net.runFor(3_000);
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.replica.inViewChange()).isTrue();
      assertThat(n.replica.ownPending()).singleElement().isInstanceOf(Envelope.ViewChange.class);
    }
    net.lose = e -> false; // links up, but what was sent is gone
    net.runFor(60_000);
    assertThat(net.nodes).allMatch(n -> n.height() == 0 && n.replica.inViewChange());

    net.reconnectAll();
    assertThat(net.allUpReach(3, 30_000)).isTrue();
    net.assertAgreement();
  }

  @Test
  void anActiveReplicaOffersItsOwnVotesOfTheHeightInFlight() {
    SimNetwork net = new SimNetwork(4, 42);
    net.lose = e -> !(e instanceof Envelope.PrePrepare); // proposals arrive, votes do not
    net.startAll();
    net.runFor(700); // the heartbeat proposal is out and everyone prepared; the view timer has not fired
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.replica.inViewChange()).isFalse();
      assertThat(n.replica.ownPending()).anyMatch(e -> e instanceof Envelope.Prepare p && p.height() == 1);
    }
    assertThat(net.primaryOfView(0).replica.ownPending()).anyMatch(e -> e instanceof Envelope.PrePrepare);
  }
}
