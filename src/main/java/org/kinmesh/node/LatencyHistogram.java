package org.kinmesh.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Cumulative latency buckets in the Prometheus histogram shape (issue 17: commit latency). Kept
 * by the verticle that measures, carried in its status as JSON, printed by /metrics: so the
 * counts travel over the event bus like every other status value. Pure; not thread-safe (one
 * event loop owns it).
 */
public final class LatencyHistogram {
  /** Upper bounds in seconds: a loopback commit takes ~10 ms, a relayed one 50+, a view change seconds. */
  static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final long[] counts = new long[BOUNDS.length + 1]; // the last one: above every bound (+Inf)
  private long count;
  private double sumSeconds;

  public void observeNanos(long nanos) {
    double s = Math.max(0, nanos) / 1e9;
    int i = 0;
    while (i < BOUNDS.length && s > BOUNDS[i]) {
      i++;
    }
    counts[i]++;
    count++;
    sumSeconds += s;
  }

  /** {"le": [bounds], "buckets": [cumulative count per bound], "count", "sum_seconds"}. */
  public JsonObject toJson() {
    JsonArray le = new JsonArray();
    JsonArray buckets = new JsonArray();
    long cumulative = 0;
    for (int i = 0; i < BOUNDS.length; i++) {
      cumulative += counts[i];
      le.add(BOUNDS[i]);
      buckets.add(cumulative);
    }
    return new JsonObject().put("le", le).put("buckets", buckets).put("count", count).put("sum_seconds", sumSeconds);
  }

  /**
   * Prometheus text of a histogram from {@link #toJson()}; empty when the object is missing or
   * malformed (a scrape never fails for want of one family).
   */
  static String prometheus(String name, String help, JsonObject h) {
    if (h == null) {
      return "";
    }
    try {
      JsonArray le = h.getJsonArray("le");
      JsonArray buckets = h.getJsonArray("buckets");
      if (le == null || buckets == null || le.size() != buckets.size()) {
        return "";
      }
      StringBuilder out = new StringBuilder().append("# HELP ").append(name).append(' ').append(help).append('\n')
          .append("# TYPE ").append(name).append(" histogram\n");
      for (int i = 0; i < le.size(); i++) {
        out.append(name).append("_bucket{le=\"").append(le.getDouble(i)).append("\"} ")
            .append(buckets.getLong(i)).append('\n');
      }
      long count = h.getLong("count");
      out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n')
          .append(name).append("_count ").append(count).append('\n')
          .append(name).append("_sum ").append(String.format(Locale.ROOT, "%.6f", h.getDouble("sum_seconds")))
          .append('\n');
      return out.toString();
    } catch (ClassCastException | NullPointerException e) {
      return "";
    }
  }
}
