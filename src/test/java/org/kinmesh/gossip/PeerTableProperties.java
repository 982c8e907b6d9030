package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/** The table's limits and ordering hold after any sequence of announces, outcomes, cache rows, time and authorizations. */
class PeerTableProperties {
  static final String SIG = "00".repeat(64);
  static final int PEERS = 12;
  static final List<String> KEYS = new ArrayList<>();
  static final String SELF = TestKeys.key(1).publicKeyHex();

  static {
    for (int i = 0; i < PEERS; i++) {
      KEYS.add(TestKeys.key(500 + i).publicKeyHex());
    }
    KEYS.add(SELF);
  }

  /** One step: kind, peer index, endpoint indexes, flag, number. */
  record Op(int kind, int peer, List<Integer> eps, boolean flag, int n) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 5),
        Arbitraries.integers().between(0, KEYS.size() - 1),
        Arbitraries.integers().between(0, 9).list().ofMinSize(1).ofMaxSize(6).uniqueElements(),
        Arbitraries.of(true, false), Arbitraries.integers().between(0, 400)).as(Op::new);
    return op.list().ofMaxSize(80);
  }

  static Endpoint ep(int i) {
    return i % 3 == 0 ? new Endpoint("2001:db8::" + (i + 1), 7000 + i) : new Endpoint("198.51.100." + i, 7000 + i);
  }

  @Property(tries = 300)
  void limitsAndOrderAlwaysHold(@ForAll("ops") List<Op> ops) {
    ManualTimeSource clock = new ManualTimeSource(1_767_225_600_000L);
    int maxPeers = 5;
    PeerTable t = new PeerTable(SELF, maxPeers, 180_000, 600_000, clock);
    Set<String> authorized = new HashSet<>(KEYS);
    long ver = 0;
    for (Op o : ops) {
      String key = KEYS.get(o.peer());
      Endpoint first = ep(o.eps().get(0));
      if (o.kind() <= 2 && !authorized.contains(key)) {
        continue; // the engine never hands the table a key outside the authorized set
      }
      switch (o.kind()) {
        case 0 -> {
          List<Endpoint> eps = o.eps().stream().map(PeerTableProperties::ep).toList();
          boolean kept = t.applyAnnounce(new Announce("fam", key, eps, NatType.OPEN, 0, ++ver, SIG));
          if (!kept && !key.equals(SELF)) {
            // Refused only when full of peers that all outrank it.
            assertThat(t.size()).isEqualTo(maxPeers);
            for (PeerView v : t.snapshot()) {
              assertThat(Long.compareUnsigned(PeerTable.weight(SELF, v.pubkey()), PeerTable.weight(SELF, key)))
                  .isNegative();
            }
          }
        }
        case 1 -> t.addEndpoint(key, first, o.flag() ? Source.CACHE : Source.RELAY, o.n() % 101,
            clock.nowMillis() - o.n() * 1000L, NatType.SYMMETRIC, o.n());
        case 2 -> {
          List<Endpoint> before = order(t, key);
          t.report(key, first, o.flag(), Source.RELAY);
          List<Endpoint> after = order(t, key);
          if (!o.flag() && before.contains(first)) {
            // A failure never moves an endpoint up.
            assertThat(after.indexOf(first)).isGreaterThanOrEqualTo(before.indexOf(first));
          }
          if (o.flag() && before.contains(first)) {
            // A success never moves it down, and puts it before every endpoint known to fail.
            assertThat(after.indexOf(first)).isLessThanOrEqualTo(before.indexOf(first));
          }
        }
        case 3 -> clock.advanceSeconds(o.n());
        case 4 -> t.expire();
        default -> {
          authorized.remove(key);
          t.retainAuthorized(authorized);
        }
      }
      check(t, authorized, maxPeers, clock);
    }
  }

  static List<Endpoint> order(PeerTable t, String key) {
    return t.endpoints(key).stream().map(EndpointView::endpoint).toList();
  }

  static void check(PeerTable t, Set<String> authorized, int maxPeers, ManualTimeSource clock) {
    assertThat(t.size()).isLessThanOrEqualTo(maxPeers);
    assertThat(t.contains(SELF)).isFalse();
    int total = 0;
    for (PeerView v : t.snapshot()) {
      assertThat(authorized).contains(v.pubkey());
      assertThat(v.endpoints()).isNotEmpty().hasSizeLessThanOrEqualTo(GossipConfig.MAX_ENDPOINTS);
      assertThat(v.endpoints().stream().map(EndpointView::endpoint).distinct()).hasSize(v.endpoints().size());
      total += v.endpoints().size();
      for (int i = 1; i < v.endpoints().size(); i++) {
        EndpointView a = v.endpoints().get(i - 1);
        EndpointView b = v.endpoints().get(i);
        boolean aFailed = a.reachable() == Reachability.NO;
        boolean bFailed = b.reachable() == Reachability.NO;
        // Not-failed first, then by rank.
        assertThat(aFailed && !bFailed).isFalse();
        if (aFailed == bFailed) {
          assertThat(a.rank()).isGreaterThanOrEqualTo(b.rank());
        }
      }
      for (EndpointView e : v.endpoints()) {
        assertThat(e.sources()).isNotZero();
        assertThat(e.score()).isBetween(0.0, EndpointScore.MAX);
      }
    }
    assertThat(t.endpointCount()).isEqualTo(total);
  }
}
