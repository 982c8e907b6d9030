package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Endpoint;

/** Schedule, rate limits, own endpoints and the config: the small pure parts. */
class SmallPartsTest {

  @Test
  void timersStayInsideTheirJitter() throws Exception {
    Schedule s = new Schedule(GossipConfig.defaults(), new Random(7));
    for (int i = 0; i < 2_000; i++) {
      assertThat(s.nextAnnounceMs()).isBetween(50_000L, 70_000L);
      assertThat(s.nextPullMs()).isBetween(13_500L, 16_500L);
    }
    List<Long> quick = s.quickPullOffsetsMs();
    assertThat(quick).hasSize(3);
    assertThat(quick.get(0)).isZero();
    assertThat(quick.get(1)).isBetween(4_500L, 5_500L);
    assertThat(quick.get(2)).isBetween(9_500L, 10_500L);
    assertThat(s.firstRegularPullMs()).isBetween(15_000L + 13_500, 15_000L + 16_500);
    Schedule none = new Schedule(GossipConfig.fromJson(new JsonObject().put("quick_pulls", 0)), new Random(1));
    assertThat(none.quickPullOffsetsMs()).isEmpty();
  }

  @Test
  void rateLimitsRefillAndStayBounded() {
    ManualTimeSource clock = new ManualTimeSource(0);
    RateLimits r = new RateLimits(10, 10, 2, clock);
    for (int i = 0; i < 10; i++) {
      assertThat(r.allow("a")).isTrue();
    }
    assertThat(r.allow("a")).isFalse();
    clock.setMillis(100);
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isFalse();
    assertThat(r.allow("b")).isTrue();
    // Table full, "a" is busy: a third key is refused rather than growing the table.
    clock.setMillis(150);
    assertThat(r.allow("c")).isFalse();
    assertThat(r.size()).isEqualTo(2);
    // Once the least recent ("a") is idle again, it makes room.
    clock.setMillis(5_000);
    assertThat(r.allow("c")).isTrue();
    assertThat(r.size()).isEqualTo(2);
  }

  @Test
  void ownEndpointsInOrderOfPreferenceAtMostSix() {
    Endpoint adv = new Endpoint("203.0.113.1", 7070);
    Endpoint stun = new Endpoint("198.51.100.2", 40000);
    Endpoint local = new Endpoint("10.0.0.5", 7070);
    assertThat(OwnEndpoints.choose(List.of(adv), stun, List.of(local, adv))).containsExactly(adv, stun, local);
    assertThat(OwnEndpoints.choose(List.of(), null, List.of(local))).containsExactly(local);
    List<Endpoint> many = new java.util.ArrayList<>();
    for (int i = 0; i < 9; i++) {
      many.add(new Endpoint("10.0.1." + i, 1));
    }
    assertThat(OwnEndpoints.choose(many, stun, List.of())).hasSize(6).doesNotContain(stun);
    assertThat(OwnEndpoints.local("127.0.0.1", 9)).containsExactly(new Endpoint("127.0.0.1", 9));
    assertThat(OwnEndpoints.local("0.0.0.0", 9)).isNotEmpty().allSatisfy(e -> assertThat(e.port()).isEqualTo(9));
  }

  @Test
  void ownVersionNeverGoesBackwards() {
    OwnVersion v = new OwnVersion(5_000);
    assertThat(v.next(1_000)).isEqualTo(5_001); // clock behind the persisted value
    assertThat(v.next(9_000)).isEqualTo(9_000); // clock ahead
    assertThat(v.next(9_000)).isEqualTo(9_001); // same millisecond
    v.observed(20_000);
    assertThat(v.next(9_500)).isEqualTo(20_001);
    // A restart from the persisted value, clock gone backwards.
    assertThat(new OwnVersion(v.last()).next(0)).isEqualTo(20_002);
  }

  @Test
  void configErrorsNameTheKey() {
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("fanout", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("gossip.fanout");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("max_peers", 101)))
        .hasMessageContaining("gossip.max_peers");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("hard_ttl_secs", 100)))
        .hasMessageContaining("gossip.hard_ttl_secs");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("announce_jitter_ms", 60_000)))
        .hasMessageContaining("gossip.announce_jitter_ms");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("seeds", new JsonArray().add("host:1"))))
        .hasMessageContaining("gossip.seeds");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("seeds", new JsonArray().add("ABC@1.2.3.4:1"))))
        .hasMessageContaining("gossip.seeds");
    assertThatThrownBy(() -> GossipConfig.fromJson(new JsonObject().put("pull_interval", 5)))
        .hasMessageContaining("gossip.pull_interval");
  }

  @Test
  void configDefaultsAreTheDesignsNumbers() throws Exception {
    GossipConfig d = GossipConfig.defaults();
    assertThat(d.announceIntervalMs()).isEqualTo(60_000);
    assertThat(d.announceJitterMs()).isEqualTo(10_000);
    assertThat(d.pullIntervalMs()).isEqualTo(15_000);
    assertThat(d.fanout()).isEqualTo(3);
    assertThat(d.maxPeers()).isEqualTo(100);
    assertThat(d.maxEntries()).isEqualTo(1_000);
    assertThat(d.softTtlSecs()).isEqualTo(300);
    assertThat(d.hardTtlSecs()).isEqualTo(600);
    assertThat(d.peerOpsPerSec()).isEqualTo(100);
    GossipConfig seeded = GossipConfig.fromJson(new JsonObject().put("seeds", new JsonArray()
        .add("127.0.0.1:7070").add("[2001:db8::1]:7070").add("ab".repeat(32) + "@10.0.0.1:1")));
    assertThat(seeded.seeds()).hasSize(3);
    assertThat(seeded.seeds().get(2).pubkey()).isEqualTo("ab".repeat(32));
  }
}
