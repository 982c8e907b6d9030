package org.kinmesh.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import org.kinmesh.node.NodeMetrics;

/**
 * CPU of one node /metrics scrape (issue 17: target &lt; 1 ms at 50 peers): the snapshot copied into
 * the meters and the Prometheus text printed, as NodeApiVerticle does at each GET /metrics, with
 * PEERS fake peers (each on a path that changes every scrape) and a full status object. Gathering
 * the snapshots over the event bus is not counted (the verticles answer /status the same way).
 * Usage: MetricsScrapeBench [peers=50] [scrapes=2000]
 */
public final class MetricsScrapeBench {
  private MetricsScrapeBench() {}

  public static void main(String[] args) {
    int peers = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int scrapes = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    NodeMetrics metrics = new NodeMetrics();
    String[] paths = {"direct_udp", "direct_tcp", "relayed", "none"};
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long[] nanos = new long[scrapes];
    int bytes = 0;
    for (int warm = 0; warm < 2; warm++) { // the first round warms the JIT up
      for (int i = 0; i < scrapes; i++) {
        JsonObject status = status(i);
        JsonArray list = new JsonArray();
        for (int p = 0; p < peers; p++) {
          list.add(new JsonObject().put("pubkey", String.format(Locale.ROOT, "%08x", p + 1) + "0".repeat(56))
              .put("path", paths[(p + i) % paths.length]));
        }
        long t0 = cpu.getCurrentThreadCpuTime();
        metrics.update(status, list);
        bytes = metrics.scrape().length();
        nanos[i] = cpu.getCurrentThreadCpuTime() - t0;
      }
    }
    Arrays.sort(nanos);
    System.out.printf(Locale.ROOT, "RESULT metrics_scrape peers=%d scrapes=%d cpu_median_ms=%.3f cpu_p99_ms=%.3f"
        + " text_bytes=%d%n", peers, scrapes, nanos[scrapes / 2] / 1e6, nanos[scrapes * 99 / 100] / 1e6, bytes);
  }

  private static JsonObject status(int i) {
    JsonObject rejected = new JsonObject();
    for (String r : new String[] {"stale", "old_view", "duplicate", "bad_signature", "malformed", "unauthorized"}) {
      rejected.put(r, i);
    }
    JsonObject dropped = new JsonObject();
    for (String r : new String[] {"bad_cookie", "rate_limited", "too_large", "malformed", "stale"}) {
      dropped.put(r, i);
    }
    org.kinmesh.node.LatencyHistogram latency = new org.kinmesh.node.LatencyHistogram();
    for (int s = 0; s < 20; s++) {
      latency.observeNanos(1_000_000L * (s + i % 7));
    }
    return new JsonObject().put("commit_latency", latency.toJson()).put("height", 1000 + i).put("view", 3)
        .put("view_changes", 3).put("equivocations", 0)
        .put("phases", new JsonObject().put("committed", 1000 + i)).put("rejected", rejected)
        .put("quorum", new JsonObject().put("mode", i % 2 == 0 ? "healthy" : "degraded"))
        .put("gossip", new JsonObject().put("peers", 50).put("peer_endpoints", 120).put("entries", 51).put("ver", 7)
            .put("counters", new JsonObject().put("dropped", dropped)
                .put("events", new JsonObject().put("pull", i).put("push", i))));
  }
}
