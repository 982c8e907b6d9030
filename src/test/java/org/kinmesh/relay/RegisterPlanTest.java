package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.kinmesh.relay.RegisterWriter.Outcome;

class RegisterPlanTest {
  static RegisterWriter.Pending req(String key, long ts) {
    return new RegisterWriter.Pending("fam", key, "203.0.113.1", 1, ts, "sig", 0, Promise.promise(), null);
  }

  @Test
  void refusesUnauthorizedKeysAndTimestampsNotNewerThanTheWatermark() {
    List<RegisterWriter.Pending> batch = List.of(req("a", 10), req("b", 10), req("c", 5), req("c", 6), req("a", 11));
    RegisterPlan plan = RegisterPlan.decide(batch, Set.of("fam/a", "fam/c"), Map.of("fam/c", 5L, "fam/b", 1L));
    assertThat(plan.outcomes()).containsExactly(Outcome.ACCEPTED, Outcome.REPLAYED_OR_UNAUTHORIZED,
        Outcome.REPLAYED_OR_UNAUTHORIZED, Outcome.ACCEPTED, Outcome.ACCEPTED);
    assertThat(plan.accepted()).containsExactly(batch.get(0), batch.get(3), batch.get(4));
  }

  @Test
  void keysAreScopedByBlockchain() {
    RegisterWriter.Pending other = new RegisterWriter.Pending("other", "a", "203.0.113.1", 1, 10, "sig", 0,
        Promise.promise(), null);
    RegisterPlan plan = RegisterPlan.decide(List.of(other), Set.of("fam/a"), Map.of());
    assertThat(plan.outcomes()).containsExactly(Outcome.REPLAYED_OR_UNAUTHORIZED);
    assertThat(plan.accepted()).isEmpty();
  }

  /**
   * One batch decides exactly as the same requests sent one by one, each seeing the watermarks
   * the earlier ones left (the group commit is invisible to clients).
   */
  @Property(tries = 300)
  void aBatchDecidesAsTheRequestsOneByOne(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 4) Integer> keyIndexes,
      @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 0, max = 6) Integer> timestamps,
      @ForAll @Size(min = 5, max = 5) List<@IntRange(min = -1, max = 4) Integer> initialMarks) {
    Set<String> authorized = Set.of("fam/k0", "fam/k1", "fam/k2", "fam/k4");
    Map<String, Long> marks = new HashMap<>();
    for (int k = 0; k < 5; k++) {
      if (initialMarks.get(k) >= 0) {
        marks.put("fam/k" + k, (long) initialMarks.get(k));
      }
    }
    List<RegisterWriter.Pending> batch = new ArrayList<>();
    for (int i = 0; i < keyIndexes.size(); i++) {
      batch.add(req("k" + keyIndexes.get(i), timestamps.get(i)));
    }
    RegisterPlan together = RegisterPlan.decide(batch, authorized, marks);

    Map<String, Long> sequential = new HashMap<>(marks);
    List<Outcome> expected = new ArrayList<>();
    for (RegisterWriter.Pending p : batch) {
      RegisterPlan single = RegisterPlan.decide(List.of(p), authorized, sequential);
      expected.add(single.outcomes().get(0));
      single.accepted().forEach(a -> sequential.put("fam/" + a.pubkey(), a.timestamp()));
    }
    assertThat(together.outcomes()).isEqualTo(expected);
    // every accepted request is authorized and strictly newer than anything accepted before it
    Map<String, Long> last = new HashMap<>(marks);
    for (RegisterWriter.Pending a : together.accepted()) {
      String id = "fam/" + a.pubkey();
      assertThat(authorized).contains(id);
      assertThat(a.timestamp()).isGreaterThan(last.getOrDefault(id, Long.MIN_VALUE));
      last.put(id, a.timestamp());
    }
  }
}
