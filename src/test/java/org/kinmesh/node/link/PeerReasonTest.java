package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PeerReasonTest {
  private static PeerReason.Input in(PathKind path, PathPolicy policy) {
    return new PeerReason.Input(path, policy, false, null, "port_restricted", "port_restricted", true, 0, -1);
  }

  @Test
  void eachCauseHasItsOwnCode() {
    assertThat(PeerReason.code(in(PathKind.DIRECT_UDP, PathPolicy.AUTO))).isNull();
    assertThat(PeerReason.code(in(PathKind.RELAYED, PathPolicy.FORCE_RELAY))).isEqualTo("force_relay");
    assertThat(PeerReason.code(in(PathKind.NONE, PathPolicy.DIRECT_ONLY))).isEqualTo("direct_only_unreachable");
    assertThat(PeerReason.code(in(PathKind.NONE, PathPolicy.AUTO))).isEqualTo("down");
    assertThat(PeerReason.code(new PeerReason.Input(PathKind.RELAYED, PathPolicy.AUTO, true, null, "open", "open",
        true, 0, -1))).isEqualTo("peer_force_relay");
    assertThat(PeerReason.code(new PeerReason.Input(PathKind.RELAYED, PathPolicy.AUTO, false, null, "symmetric",
        "symmetric", true, 3, 100))).isEqualTo("both_symmetric");
    assertThat(PeerReason.code(new PeerReason.Input(PathKind.RELAYED, PathPolicy.AUTO, false, null, "open",
        "unknown", false, 0, -1))).isEqualTo("no_endpoint");
    assertThat(PeerReason.code(in(PathKind.RELAYED, PathPolicy.AUTO))).isEqualTo("direct_pending");
    assertThat(PeerReason.code(new PeerReason.Input(PathKind.NONE, PathPolicy.AUTO, false, "genesis_mismatch",
        "open", "open", true, 0, -1))).isEqualTo("refused");
  }

  @Test
  void aFailingPunchSaysHowOftenItTriedAndWhenItTriesNext() {
    var p = new PeerReason.Input(PathKind.RELAYED, PathPolicy.AUTO, false, null, "symmetric", "port_restricted",
        true, 31, 9_500);
    String code = PeerReason.code(p);
    assertThat(code).isEqualTo("punch_failed");
    assertThat(PeerReason.detail(p, code).encode()).isEqualTo("{\"attempts\":31,\"next_try_in_ms\":9500}");
  }

  /** A status never claims what the node lacks: direct peers have no reason, every other peer has one. */
  @Property
  void everyPeerThatIsNotDirectHasAReasonAndNoDirectPeerHasOne(@ForAll("inputs") PeerReason.Input in) {
    String code = PeerReason.code(in);
    assertThat(code == null).isEqualTo(in.path().direct());
    if (in.path() == PathKind.NONE && in.refused() == null) {
      assertThat(code).isIn("down", "direct_only_unreachable");
    }
  }

  @Provide
  Arbitrary<PeerReason.Input> inputs() {
    Arbitrary<String> nat = Arbitraries.of("open", "symmetric", "port_restricted", "unknown");
    return Combinators.combine(Arbitraries.of(PathKind.class), Arbitraries.of(PathPolicy.class),
        Arbitraries.of(true, false), Arbitraries.of("genesis_mismatch", null), nat, nat, Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 50)).as((path, policy, pf, refused, own, peer, known, rounds) ->
        new PeerReason.Input(path, policy, pf, refused, own, peer, known, rounds, rounds == 0 ? -1 : 1_000));
  }
}
