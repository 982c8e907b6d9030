package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

class PeerTableTest {
  static final String SIG = "00".repeat(64);
  final ManualTimeSource clock = new ManualTimeSource(1_767_225_600_000L);
  final String self = TestKeys.key(1).publicKeyHex();
  final String peer = TestKeys.key(2).publicKeyHex();
  final PeerTable table = new PeerTable(self, 100, 180_000, 600_000, clock);

  static Endpoint ep(int i) {
    return new Endpoint("192.0.2." + i, 7000 + i);
  }

  Announce announce(String key, long ver, Endpoint... eps) {
    return new Announce("fam", key, List.of(eps), NatType.RESTRICTED, clock.nowSeconds(), ver, SIG);
  }

  List<Endpoint> order(String key) {
    return table.endpoints(key).stream().map(EndpointView::endpoint).toList();
  }

  @Test
  void freshGossipComesBeforeTheCacheAndAnnounceOrderIsKept() {
    table.addEndpoint(peer, ep(9), Source.CACHE, 50, clock.nowMillis(), NatType.OPEN, 3);
    table.applyAnnounce(announce(peer, 4, ep(1), ep(2)));
    assertThat(order(peer)).containsExactly(ep(1), ep(2), ep(9));
    PeerView v = table.view(peer);
    assertThat(v.ver()).isEqualTo(4);
    assertThat(v.nat()).isEqualTo(NatType.RESTRICTED);
    // Past prefer_fresh the gossip bonus is gone, ranks decay, the order by score stays.
    double before = table.endpoints(peer).get(0).rank();
    clock.advanceSeconds(181);
    assertThat(table.endpoints(peer).get(0).rank()).isLessThan(before - EndpointScore.FRESH_BONUS + 1);
  }

  @Test
  void aFailureRotatesToTheNextEndpointAndASuccessPromotes() {
    table.applyAnnounce(announce(peer, 1, ep(1), ep(2), ep(3)));
    table.report(peer, ep(1), false, null);
    assertThat(order(peer)).containsExactly(ep(2), ep(3), ep(1));
    table.report(peer, ep(2), false, null);
    assertThat(order(peer)).containsExactly(ep(3), ep(1), ep(2));
    table.report(peer, ep(1), true, null);
    assertThat(order(peer).get(0)).isEqualTo(ep(1));
    assertThat(table.endpoints(peer).get(0).reachable()).isEqualTo(Reachability.YES);
    // A new version re-listing a failed endpoint gives it another chance.
    table.applyAnnounce(announce(peer, 2, ep(2)));
    assertThat(table.endpoints(peer).stream().filter(e -> e.endpoint().equals(ep(2))).findFirst().orElseThrow()
        .reachable()).isEqualTo(Reachability.UNKNOWN);
  }

  @Test
  void anAnnounceReplacesTheGossipEndpointsButKeepsOtherSources() {
    table.applyAnnounce(announce(peer, 1, ep(1), ep(2)));
    table.report(peer, ep(2), true, null);
    table.addEndpoint(peer, ep(2), Source.RELAY, 50, clock.nowMillis(), null, -1);
    table.applyAnnounce(announce(peer, 2, ep(3)));
    // ep(1) was gossip only: gone; ep(2) was also seen via the relay: kept without the gossip bit.
    assertThat(order(peer)).containsExactlyInAnyOrder(ep(3), ep(2));
    EndpointView two = table.endpoints(peer).stream().filter(e -> e.endpoint().equals(ep(2))).findFirst()
        .orElseThrow();
    assertThat(Source.has(two.sources(), Source.GOSSIP)).isFalse();
    assertThat(Source.has(two.sources(), Source.RELAY)).isTrue();
  }

  @Test
  void theHardTtlDropsGossipButKeepsTheCache() {
    String other = TestKeys.key(3).publicKeyHex();
    table.applyAnnounce(announce(peer, 1, ep(1)));
    table.applyAnnounce(announce(other, 1, ep(2)));
    table.addEndpoint(other, ep(3), Source.CACHE, 40, clock.nowMillis() - 3_600_000, NatType.OPEN, 0);
    clock.advanceSeconds(600);
    assertThat(table.expire()).isEmpty();
    clock.advanceSeconds(1);
    assertThat(table.expire()).containsExactly(peer);
    assertThat(table.contains(peer)).isFalse();
    assertThat(order(other)).containsExactly(ep(3));
  }

  @Test
  void atMostSixEndpointsAndTheWorstGoesFirst() {
    table.applyAnnounce(announce(peer, 1, ep(1), ep(2), ep(3), ep(4), ep(5), ep(6)));
    assertThat(table.addEndpoint(peer, ep(7), Source.CACHE, 10, clock.nowMillis(), null, -1)).isFalse();
    assertThat(table.endpoints(peer)).hasSize(6);
    assertThat(order(peer)).doesNotContain(ep(7));
    table.report(peer, ep(6), false, null);
    // A relay endpoint that worked beats the failed one.
    assertThat(table.report(peer, ep(8), true, Source.RELAY)).isTrue();
    assertThat(order(peer)).hasSize(6).contains(ep(8)).doesNotContain(ep(6));
  }

  @Test
  void whenFullTheTableKeepsTheLowestRendezvousWeightsWhateverTheOrder() {
    List<String> keys = new ArrayList<>();
    for (int i = 10; i < 40; i++) {
      keys.add(TestKeys.key(i).publicKeyHex());
    }
    List<String> expected = keys.stream().sorted(Comparator.comparing(k -> PeerTable.weight(self, k),
        Long::compareUnsigned)).limit(5).toList();
    for (long seed = 0; seed < 5; seed++) {
      PeerTable t = new PeerTable(self, 5, 180_000, 600_000, clock);
      List<String> shuffled = new ArrayList<>(keys);
      java.util.Collections.shuffle(shuffled, new Random(seed));
      for (String k : shuffled) {
        t.applyAnnounce(new Announce("fam", k, List.of(ep(1)), NatType.OPEN, 0, 1, SIG));
      }
      assertThat(t.snapshot()).extracting(PeerView::pubkey).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void neverOurselvesAndOnlyAuthorizedKeys() {
    assertThat(table.applyAnnounce(announce(self, 1, ep(1)))).isFalse();
    table.applyAnnounce(announce(peer, 1, ep(1)));
    assertThat(table.retainAuthorized(Set.of(self))).containsExactly(peer);
    assertThat(table.size()).isZero();
  }

  @Test
  void theCacheGetsTheBestFewOfEachPeer() {
    table.applyAnnounce(announce(peer, 7, ep(1), ep(2), ep(3), ep(4)));
    table.report(peer, ep(1), false, null);
    List<CachedEndpoint> rows = table.bestForCache(2);
    assertThat(rows).extracting(CachedEndpoint::endpoint).containsExactly(ep(2), ep(3));
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.version()).isEqualTo(7);
      assertThat(r.nat()).isEqualTo(NatType.RESTRICTED);
      assertThat(r.sources()).isEqualTo(Source.GOSSIP.bit());
    });
  }

  @Test
  void targetsAreDistinctPeersWithTheirBestEndpoint() {
    for (int i = 10; i < 20; i++) {
      table.applyAnnounce(announce(TestKeys.key(i).publicKeyHex(), 1, ep(i), ep(i + 50)));
    }
    List<PeerTable.Target> t = table.pickTargets(3, new Random(4));
    assertThat(t).hasSize(3);
    assertThat(t.stream().map(PeerTable.Target::pubkey).distinct()).hasSize(3);
    for (PeerTable.Target x : t) {
      assertThat(x.endpoint()).isEqualTo(table.endpoints(x.pubkey()).get(0).endpoint());
    }
    assertThat(table.pickTargets(50, new Random(4))).hasSize(10);
    assertThat(table.allTargets()).hasSize(10);
  }
}
