package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.NatType;

/**
 * The accept rule of PROTOCOL.md §3.1 under any order of delivery: an announce is taken exactly
 * when it is fresh, untampered and newer than every version taken before for its key; and our
 * own version never goes backwards whatever the clock does.
 */
class AcceptRuleProperties {
  static final long NOW = 1_767_225_600L;
  static final long[] SKEWS = {-400, -301, -300, 0, 300, 301, 400};
  static final List<Identity> KEYS = List.of(TestKeys.key(801), TestKeys.key(802), TestKeys.key(803));
  /** Pre-signed announces: key, version 1-8, skew. */
  static final Map<String, byte[]> SIGNED = new HashMap<>();

  static {
    for (int k = 0; k < KEYS.size(); k++) {
      for (int v = 1; v <= 8; v++) {
        for (int s = 0; s < SKEWS.length; s++) {
          Announce a = Announce.sign(KEYS.get(k), "fam", List.of(new Endpoint("192.0.2." + v, 7000 + k)),
              NatType.OPEN, NOW + SKEWS[s], v);
          SIGNED.put(k + "/" + v + "/" + s, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, a.toJson()));
        }
      }
    }
  }

  record Delivery(int key, int ver, int skew, boolean tamper) {}

  @Provide
  Arbitrary<List<Delivery>> deliveries() {
    return Combinators.combine(Arbitraries.integers().between(0, KEYS.size() - 1), Arbitraries.integers().between(1, 8),
        Arbitraries.integers().between(0, SKEWS.length - 1), Arbitraries.of(false, false, false, true))
        .as(Delivery::new).list().ofMaxSize(60);
  }

  @Property(tries = 300)
  void takenExactlyWhenFreshGenuineAndNewer(@ForAll("deliveries") List<Delivery> seq) {
    ManualTimeSource clock = new ManualTimeSource(NOW * 1000);
    GossipEngine e = new GossipEngine("fam", GossipConfig.defaults(), TestKeys.key(800), clock, new Random(1));
    e.authorize(KEYS.stream().map(Identity::publicKeyHex).collect(Collectors.toSet()));
    long[] highest = {-1, -1, -1};
    for (Delivery d : seq) {
      byte[] bytes = SIGNED.get(d.key() + "/" + d.ver() + "/" + d.skew());
      if (d.tamper()) {
        JsonObject j = new JsonObject(new String(bytes, 3, bytes.length - 3, java.nio.charset.StandardCharsets.UTF_8));
        bytes = GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, j.put("nat", "symmetric"));
      }
      GossipEngine.Result r = e.onDatagram("192.0.2.200", 7070, bytes);
      boolean fresh = Math.abs(SKEWS[d.skew()]) <= 300;
      boolean expected = fresh && !d.tamper() && d.ver() > highest[d.key()];
      assertThat(r.drop() == null).as("%s -> %s", d, r.drop()).isEqualTo(expected);
      if (expected) {
        highest[d.key()] = d.ver();
      }
      String key = KEYS.get(d.key()).publicKeyHex();
      assertThat(e.knownVer(key)).isEqualTo(highest[d.key()]);
      if (highest[d.key()] > 0) {
        assertThat(e.table().view(key).endpoints().get(0).endpoint())
            .isEqualTo(new Endpoint("192.0.2." + highest[d.key()], 7000 + d.key()));
      }
    }
  }

  @Property(tries = 500)
  void ownVersionStrictlyIncreasesAcrossRestartsAndClockSteps(
      @ForAll("clockSteps") List<Long> clocks, @ForAll @LongRange(min = 0, max = 1L << 50) long persisted) {
    OwnVersion v = new OwnVersion(persisted);
    long last = persisted;
    for (long c : clocks) {
      if (c % 7 == 0) {
        v = new OwnVersion(v.last()); // a restart from what was persisted
      }
      long next = v.next(c);
      assertThat(next).isGreaterThan(last);
      last = next;
    }
  }

  @Provide
  Arbitrary<List<Long>> clockSteps() {
    return Arbitraries.longs().between(0, 1L << 50).list().ofMaxSize(40);
  }
}
