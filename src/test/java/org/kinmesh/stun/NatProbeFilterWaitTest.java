package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.stun.SimLab.NatKind;
import org.kinmesh.stun.SimLab.Server;
import org.kinmesh.wire.gossip.NatType;

/**
 * How long the filtering tests wait for answers a NAT may drop: 8 round trips within [150 ms,
 * 1 s], the round trip measured again by a control request sent with them, so a test I slowed
 * by a cold client does not stretch the wait to the cap.
 */
class NatProbeFilterWaitTest {
  private static final Server RFC5780 = Server.rfc5780("192.0.2.1", "192.0.2.2");

  private static NatProbe probe(SimLab lab) {
    return new NatProbe(lab.stunServers(), lab.localAddresses(), SimLab.HOST.getPort(), ProbeSettings.DEFAULT);
  }

  @Test
  void aColdFirstRoundTripDoesNotStretchTheFilteringWait() {
    for (NatKind kind : List.of(NatKind.RESTRICTED, NatKind.PORT_RESTRICTED, NatKind.SYMMETRIC)) {
      SimLab lab = new SimLab(kind, RFC5780);
      lab.extraDelayOfAnswer.put(0, 120L); // test I takes 125 ms: 8 round trips would be the 1 s cap
      ProbeResult r = lab.run(probe(lab));
      assertThat(r.natType()).as(kind.name()).isEqualTo(switch (kind) {
        case RESTRICTED -> NatType.RESTRICTED;
        case PORT_RESTRICTED -> NatType.PORT_RESTRICTED;
        default -> NatType.SYMMETRIC;
      });
      // test I (125 ms), the control answers in 5 ms so the filtering tests wait the 150 ms floor, test II (5 ms)
      // (symmetric: test III too, in parallel)
      assertThat(r.elapsedMillis()).as(kind.name()).isEqualTo(125 + 150 + 5);
    }
  }

  @Test
  void withoutTheControlsAnswerTheWaitFollowsTestOne() {
    SimLab lab = new SimLab(NatKind.PORT_RESTRICTED, RFC5780);
    lab.extraDelayOfAnswer.put(0, 120L);
    // the NAT lets nothing back from the primary after test I: the control goes unanswered too
    lab.dropTo = a -> lab.sentTo.size() > 1 && a.equals(RFC5780.primary());
    ProbeResult r = lab.run(probe(lab));
    // test I (125 ms), then the filtering tests wait 8 x 125 ms capped at 1 s, then test II (5 ms)
    assertThat(r.elapsedMillis()).isEqualTo(125 + 1000 + 5);
    assertThat(r.classification().filtering()).isEqualTo(FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT);
  }

  @Test
  void aSlowControlNeverLengthensTheWait() {
    SimLab lab = new SimLab(NatKind.PORT_RESTRICTED, RFC5780);
    // answers that get through a port-restricted NAT: test I, the control (200 ms late), test II
    lab.extraDelayOfAnswer.put(1, 200L);
    ProbeResult r = lab.run(probe(lab));
    // test I (5 ms), the filtering tests' 150 ms floor from test I's round trip, test II (5 ms)
    assertThat(r.elapsedMillis()).isEqualTo(5 + 150 + 5);
    assertThat(r.natType()).isEqualTo(NatType.PORT_RESTRICTED);
  }

  @Test
  void theControlIsOnePlainBindingToThePrimaryAndAnswersFromElsewhereAreIgnored() {
    SimLab lab = new SimLab(NatKind.FULL_CONE, RFC5780);
    NatProbe p = probe(lab);
    ProbeResult r = lab.run(p);
    assertThat(r.natType()).isEqualTo(NatType.FULL_CONE);
    // test I, change both, change port, control (all to the primary), test II, test III (cancelled once II matched)
    assertThat(lab.sentTo.subList(0, 4)).containsOnly(RFC5780.primary());
    assertThat(lab.sentTo).hasSize(6);
  }
}
