package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.lab.NatLab.Kind.FULL_CONE;
import static org.kinmesh.lab.NatLab.Kind.OPEN;
import static org.kinmesh.lab.NatLab.Kind.PORT_RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.RESTRICTED;
import static org.kinmesh.lab.NatLab.Kind.SYMMETRIC;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kinmesh.lab.NatLab.Kind;
import org.kinmesh.lab.NatMatrix.Outcome;

class NatMatrixTest {
  private static final NatMatrix.View UDP = new NatMatrix.View("direct_udp", "203.0.113.10:7070", "direct path open");
  private static final NatMatrix.View RELAYED = new NatMatrix.View("relayed", null, "no direct path");

  @Test
  void onlySymmetricAgainstAddressAndPortFilteringIsPredictedRelayed() {
    for (Kind a : Kind.values()) {
      for (Kind b : Kind.values()) {
        boolean hard = a == SYMMETRIC && (b == PORT_RESTRICTED || b == SYMMETRIC)
            || b == SYMMETRIC && a == PORT_RESTRICTED;
        assertThat(NatMatrix.expected(a, b)).as(a + " x " + b).isEqualTo(hard ? Outcome.RELAYED : Outcome.DIRECT);
        assertThat(NatMatrix.expected(a, b)).isEqualTo(NatMatrix.expected(b, a));
      }
    }
  }

  @Test
  void aCellIsDirectOrRelayedOnlyWhenBothEndsAgree() {
    PathLog.PairTiming timing = new PathLog.PairTiming(1_000, 1_250, Optional.of(2_300L));
    NatMatrix.Cell direct = new NatMatrix.Cell("a", OPEN, "b", SYMMETRIC, UDP, UDP, Optional.of(timing));
    assertThat(direct.outcome()).isEqualTo(Outcome.DIRECT);
    assertThat(direct.summary()).isEqualTo("direct_udp 250 ms");
    NatMatrix.Cell relayed = new NatMatrix.Cell("a", PORT_RESTRICTED, "b", SYMMETRIC, RELAYED, RELAYED,
        Optional.empty());
    assertThat(relayed.outcome()).isEqualTo(Outcome.RELAYED);
    assertThat(relayed.expected()).isEqualTo(Outcome.RELAYED);
    NatMatrix.Cell mixed = new NatMatrix.Cell("a", OPEN, "b", FULL_CONE, UDP, RELAYED, Optional.empty());
    assertThat(mixed.outcome()).isEqualTo(Outcome.MIXED);
    assertThat(mixed.summary()).isEqualTo("mixed: direct_udp / relayed");
    NatMatrix.Cell unknown = new NatMatrix.Cell("a", OPEN, "b", FULL_CONE, UDP,
        new NatMatrix.View("?", null, "not in /peers"), Optional.empty());
    assertThat(unknown.outcome()).isEqualTo(Outcome.MIXED);
  }

  @Test
  void theTableHasEveryKindAndADotWhereNoPairRan() {
    NatMatrix m = new NatMatrix();
    m.add(new NatMatrix.Cell("a", OPEN, "b", RESTRICTED, UDP, UDP, Optional.empty()));
    m.add(new NatMatrix.Cell("c", PORT_RESTRICTED, "d", SYMMETRIC, RELAYED, RELAYED, Optional.empty()));
    String table = m.table();
    assertThat(table.lines().toList()).hasSize(2 + Kind.values().length);
    assertThat(table).contains("| **open** | · | · | direct_udp | · | · |");
    assertThat(table).contains("| **symmetric** | · | · | · | relayed | · |");
    assertThat(m.cell(RESTRICTED, OPEN)).isPresent();
    assertThat(m.cell(OPEN, OPEN)).isEmpty();
    assertThat(m.details()).contains("a(open) - b(restricted): direct, expected direct");
  }

  @Test
  void severalPairsOfTheSameKindsShareOneSummary() {
    NatMatrix m = new NatMatrix();
    m.add(new NatMatrix.Cell("a", OPEN, "b", RESTRICTED, UDP, UDP,
        Optional.of(new PathLog.PairTiming(0, 30, Optional.empty()))));
    m.add(new NatMatrix.Cell("c", RESTRICTED, "d", OPEN, UDP, UDP,
        Optional.of(new PathLog.PairTiming(0, 50, Optional.empty()))));
    m.add(new NatMatrix.Cell("e", SYMMETRIC, "f", SYMMETRIC, RELAYED, RELAYED, Optional.empty()));
    m.add(new NatMatrix.Cell("g", SYMMETRIC, "h", SYMMETRIC, RELAYED, RELAYED, Optional.empty()));
    m.add(new NatMatrix.Cell("i", FULL_CONE, "j", FULL_CONE, UDP, UDP, Optional.empty()));
    m.add(new NatMatrix.Cell("k", FULL_CONE, "l", FULL_CONE, UDP, RELAYED, Optional.empty()));
    assertThat(m.summary(OPEN, RESTRICTED)).isEqualTo("direct_udp 40 ms (2 pairs)");
    assertThat(m.summary(SYMMETRIC, SYMMETRIC)).isEqualTo("relayed (2 pairs)");
    assertThat(m.summary(FULL_CONE, FULL_CONE)).isEqualTo("mixed: 1 direct 1 mixed");
    assertThat(m.summary(OPEN, OPEN)).isEqualTo("·");
    assertThat(m.cells(RESTRICTED, OPEN)).hasSize(2);
  }

  @Test
  void percentilesAndMedians() {
    List<Integer> v = List.of(5, 1, 4, 2, 3, 10, 9, 8, 7, 6);
    assertThat(NatMatrix.median(v)).isEqualTo(5.5);
    assertThat(NatMatrix.median(List.of(3, 1, 2))).isEqualTo(2.0);
    assertThat(NatMatrix.percentile(v, 90)).isEqualTo(9.0);
    assertThat(NatMatrix.percentile(v, 100)).isEqualTo(10.0);
    assertThat(NatMatrix.percentile(v, 0)).isEqualTo(1.0);
    assertThat(NatMatrix.median(List.of())).isNaN();
    assertThat(NatMatrix.percentile(List.of(), 50)).isNaN();
    assertThatThrownBy(() -> NatMatrix.percentile(v, 101)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NatMatrix.percentile(v, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
