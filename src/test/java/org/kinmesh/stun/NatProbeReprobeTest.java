package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.stun.SimLab.NatKind;
import org.kinmesh.stun.SimLab.Server;
import org.kinmesh.wire.gossip.NatType;

/**
 * Re-probes from the same socket (the node's refresh): the first probe's tests II and III leave
 * holes towards the server's alternate address, so while the NAT still maps the socket the same
 * way the filtering tests would lie; the probe keeps the previous verdict instead.
 */
class NatProbeReprobeTest {
  private static final Server RFC5780 = Server.rfc5780("192.0.2.1", "192.0.2.2");
  private static final Server OTHER = Server.rfc5780("192.0.2.5", "192.0.2.6");

  private static NatProbe probe(SimLab lab, ProbeResult previous) {
    return new NatProbe(lab.stunServers(), lab.localAddresses(), SimLab.HOST.getPort(), ProbeSettings.DEFAULT, previous);
  }

  @Test
  void withoutThePreviousResultTheHolesOfTheFirstProbeMakeFilteringNatsLookFullCone() {
    for (NatKind kind : List.of(NatKind.RESTRICTED, NatKind.PORT_RESTRICTED)) {
      SimLab lab = new SimLab(kind, RFC5780);
      assertThat(lab.run(probe(lab, null)).natType()).isNotEqualTo(NatType.FULL_CONE);
      assertThat(lab.run(probe(lab, null)).natType()).as(kind.name()).isEqualTo(NatType.FULL_CONE);
    }
  }

  @Test
  void whileTheMappingHoldsAReprobeKeepsTheVerdictAfterTestOneOnly() {
    for (NatKind kind : List.of(NatKind.FULL_CONE, NatKind.RESTRICTED, NatKind.PORT_RESTRICTED, NatKind.SYMMETRIC)) {
      SimLab lab = new SimLab(kind, RFC5780);
      ProbeResult first = lab.run(probe(lab, null));
      int sent = lab.sentTo.size();
      ProbeResult again = lab.run(probe(lab, first));
      assertThat(again.classification()).as(kind.name()).isEqualTo(first.classification());
      assertThat(again.publicEndpoint()).isEqualTo(first.publicEndpoint());
      assertThat(again.elapsedMillis()).as("one round trip").isEqualTo(5);
      assertThat(lab.sentTo.subList(sent, lab.sentTo.size())).containsExactly(RFC5780.primary());
      assertThat(again.servers()).singleElement().satisfies(o -> assertThat(o.mapped()).isEqualTo(first.publicEndpoint()));
    }
  }

  @Test
  void aChangedMappingRunsTheFullTestsAgain() {
    for (NatKind kind : List.of(NatKind.RESTRICTED, NatKind.PORT_RESTRICTED, NatKind.SYMMETRIC)) {
      SimLab lab = new SimLab(kind, RFC5780);
      ProbeResult first = lab.run(probe(lab, null));
      lab.forgetMappings();
      int sent = lab.sentTo.size();
      ProbeResult again = lab.run(probe(lab, first));
      assertThat(again.publicEndpoint()).as(kind.name()).isNotEqualTo(first.publicEndpoint());
      assertThat(again.classification()).as(kind.name()).isEqualTo(first.classification());
      assertThat(lab.sentTo.subList(sent, lab.sentTo.size())).as("tests II and III again")
          .contains(new InetSocketAddress(RFC5780.alternate().getAddress(), RFC5780.primary().getPort()));
    }
  }

  @Test
  void aVerdictFromAnotherServerOrWithoutRfc5780IsNotKept() {
    SimLab elsewhere = new SimLab(NatKind.PORT_RESTRICTED, OTHER);
    ProbeResult fromOther = elsewhere.run(probe(elsewhere, null));
    SimLab lab = new SimLab(NatKind.PORT_RESTRICTED, RFC5780);
    // same public endpoint (the simulated NAT starts at the same port), but another server's verdict
    ProbeResult fresh = lab.run(probe(lab, fromOther));
    assertThat(fresh.publicEndpoint()).isEqualTo(fromOther.publicEndpoint());
    assertThat(lab.sentTo).contains(RFC5780.alternate());
    assertThat(fresh.natType()).isEqualTo(NatType.PORT_RESTRICTED);

    SimLab plain = new SimLab(NatKind.PORT_RESTRICTED, Server.plain("192.0.2.1"), Server.plain("203.0.113.20"));
    ProbeResult unknown = plain.run(probe(plain, null));
    assertThat(unknown.observations().rfc5780()).isFalse();
    ProbeResult next = plain.run(probe(plain, unknown));
    assertThat(plain.sentTo).as("the second server asked again").containsSubsequence(
        plain.stunServers().get(1).address(), plain.stunServers().get(0).address(), plain.stunServers().get(1).address());
    assertThat(next.classification()).isEqualTo(unknown.classification());
  }
}
