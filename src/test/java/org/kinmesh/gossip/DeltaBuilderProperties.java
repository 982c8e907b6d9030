package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Delta;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.NatType;

/**
 * Delta splitting: every datagram fits in 1,200 bytes and parses, carries whole announces in
 * order, a pull never gets more than the bound, and pulling again from each watermark delivers
 * every servable entry exactly once.
 */
class DeltaBuilderProperties {
  static final String SIG = "ab".repeat(64);
  static final List<String> KEYS = new ArrayList<>();

  static {
    for (int i = 0; i < 80; i++) {
      KEYS.add(TestKeys.key(700 + i).publicKeyHex());
    }
  }

  /** One announce to store: key index, endpoint count, IPv6 or not, ts offset. */
  record Entry(int key, int endpoints, boolean v6, int age) {}

  @Provide
  Arbitrary<List<Entry>> entries() {
    return Combinators.combine(Arbitraries.integers().between(0, KEYS.size() - 1),
        Arbitraries.integers().between(1, 6), Arbitraries.of(true, false), Arbitraries.integers().between(0, 600))
        .as(Entry::new).list().ofMaxSize(120);
  }

  static Announce announce(Entry e, long ver) {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < e.endpoints(); i++) {
      eps.add(e.v6() ? new Endpoint("2001:db8:ffff:ffff:ffff:ffff:ffff:" + Integer.toHexString(0x1000 + i), 65535)
          : new Endpoint("203.0.113." + (100 + i), 40000 + i));
    }
    return new Announce("family_network_001", KEYS.get(e.key()), eps, NatType.PORT_RESTRICTED, 1_767_225_600L - e.age(),
        ver, SIG);
  }

  @Property(tries = 300)
  void datagramsAreBoundedWholeAndOrdered(@ForAll("entries") List<Entry> entries,
      @ForAll @IntRange(min = 1, max = 8) int maxDatagrams, @ForAll @IntRange(min = 0, max = 130) int sinceHint,
      @ForAll @IntRange(min = 0, max = 600) int maxAge) throws Exception {
    AnnounceStore store = new AnnounceStore(1_000, KEYS.get(0));
    long ver = 1;
    for (Entry e : entries) {
      store.put(announce(e, ver++));
    }
    long since = Math.min(sinceHint, store.counter());
    String excluded = KEYS.get(1);
    Predicate<AnnounceStore.Stored> servable = s -> s.ts() >= 1_767_225_600L - maxAge && !s.pubkey().equals(excluded);
    DeltaBuilder.Answer a = DeltaBuilder.build("family_network_001", KEYS.get(0), store.after(since), store.counter(),
        servable, maxDatagrams, GossipDatagram.MAX_GOSSIP_BYTES);
    assertThat(a.datagrams()).isNotEmpty().hasSizeLessThanOrEqualTo(maxDatagrams);
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < a.datagrams().size(); i++) {
      byte[] d = a.datagrams().get(i);
      assertThat(d.length).isLessThanOrEqualTo(GossipDatagram.MAX_GOSSIP_BYTES);
      Delta delta = Delta.parse(GossipDatagram.body(d, GossipDatagram.TYPE_DELTA));
      assertThat(delta.more()).isEqualTo(i < a.datagrams().size() - 1);
      assertThat(delta.from()).isEqualTo(KEYS.get(0));
      for (Announce x : delta.announces()) {
        AnnounceStore.Stored s = store.get(x.pubkey());
        assertThat(x.toJson().encode()).isEqualTo(s.json());
        assertThat(servable.test(s)).isTrue();
        seqs.add(s.seq());
      }
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates().allSatisfy(s -> assertThat(s).isGreaterThan(since));
    assertThat(seqs).hasSize(a.announces());
    List<Long> expected = new ArrayList<>();
    for (AnnounceStore.Stored s : store.after(since)) {
      if (servable.test(s)) {
        expected.add(s.seq());
      }
    }
    if (a.truncated()) {
      assertThat(a.watermark()).isEqualTo(seqs.get(seqs.size() - 1));
      assertThat(expected.stream().filter(s -> s <= a.watermark()).toList()).isEqualTo(seqs);
    } else {
      assertThat(a.watermark()).isEqualTo(store.counter());
      assertThat(seqs).isEqualTo(expected);
    }
  }

  @Property(tries = 200)
  void pullingFromEachWatermarkDeliversEverythingOnce(@ForAll("entries") List<Entry> entries,
      @ForAll @IntRange(min = 1, max = 4) int maxDatagrams) throws Exception {
    AnnounceStore store = new AnnounceStore(1_000, KEYS.get(0));
    long ver = 1;
    for (Entry e : entries) {
      store.put(announce(e, ver++));
    }
    Set<String> got = new HashSet<>();
    long since = 0;
    for (int pulls = 0; pulls < 200; pulls++) {
      DeltaBuilder.Answer a = DeltaBuilder.build("c", KEYS.get(0), store.after(since), store.counter(), s -> true,
          maxDatagrams, GossipDatagram.MAX_GOSSIP_BYTES);
      for (byte[] d : a.datagrams()) {
        for (Announce x : Delta.parse(GossipDatagram.body(d, GossipDatagram.TYPE_DELTA)).announces()) {
          assertThat(got.add(x.pubkey())).as("each key once").isTrue();
        }
      }
      since = a.watermark();
      if (!a.truncated()) {
        break;
      }
    }
    assertThat(since).isEqualTo(store.counter());
    assertThat(got).hasSize(store.size());
  }
}
