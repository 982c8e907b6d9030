package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The commit-latency histogram: Prometheus buckets are cumulative and end at the count. */
class LatencyHistogramTest {
  @Test
  void samplesLandInTheirBucketAndPrintAsAPrometheusHistogram() {
    LatencyHistogram h = new LatencyHistogram();
    h.observeNanos(4_000_000); // 4 ms: le 0.005
    h.observeNanos(10_000_000); // exactly 10 ms: le 0.01 (bounds are inclusive)
    h.observeNanos(30_000_000_000L); // 30 s: only +Inf
    String text = LatencyHistogram.prometheus("kinmesh_pbft_commit_latency_seconds", "help", h.toJson());
    assertThat(text).contains("# TYPE kinmesh_pbft_commit_latency_seconds histogram\n")
        .contains("kinmesh_pbft_commit_latency_seconds_bucket{le=\"0.005\"} 1\n")
        .contains("kinmesh_pbft_commit_latency_seconds_bucket{le=\"0.01\"} 2\n")
        .contains("kinmesh_pbft_commit_latency_seconds_bucket{le=\"10.0\"} 2\n")
        .contains("kinmesh_pbft_commit_latency_seconds_bucket{le=\"+Inf\"} 3\n")
        .contains("kinmesh_pbft_commit_latency_seconds_count 3\n")
        .contains("kinmesh_pbft_commit_latency_seconds_sum 30.014000\n");
  }

  @Test
  void aMissingOrMalformedHistogramPrintsNothing() {
    assertThat(LatencyHistogram.prometheus("x", "h", null)).isEmpty();
    assertThat(LatencyHistogram.prometheus("x", "h", new JsonObject().put("le", "nope"))).isEmpty();
  }

  @Property
  void bucketsNeverDecreaseAndStayWithinTheCount(@ForAll List<@LongRange(max = 60_000_000_000L) Long> nanos) {
    LatencyHistogram h = new LatencyHistogram();
    nanos.forEach(h::observeNanos);
    JsonObject j = h.toJson();
    long previous = 0;
    for (int i = 0; i < j.getJsonArray("buckets").size(); i++) {
      long b = j.getJsonArray("buckets").getLong(i);
      assertThat(b).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(nanos.size());
      previous = b;
    }
    assertThat(j.getLong("count")).isEqualTo(nanos.size());
  }
}
