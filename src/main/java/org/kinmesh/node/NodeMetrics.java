package org.kinmesh.node;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.consensus.QuorumMode;
import org.kinmesh.crypto.KeyIds;

/**
 * The node's Prometheus metrics (issue 17), in the relay's registry style ({@code RelayMetrics}).
 * The verticles already keep the counts and report them as /status and /peers; a scrape copies
 * those snapshots into these meters ({@link #update}) and prints them. No I/O: the API verticle
 * gathers the snapshots. Counters copy a count that only grows while the node runs.
 */
public final class NodeMetrics {
  /** Every path a peer can be on ("none": no path works; PathKind's texts). */
  static final List<String> PATHS = List.of("direct_udp", "direct_tcp", "relayed", "none");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Meters by name and labels: registered once, then only their value moves. */
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
  /** Consensus keeps the buckets (LatencyHistogram); Micrometer cannot take them pre-counted. */
  private volatile String commitLatency = "";

  public NodeMetrics() {
    for (QuorumMode m : QuorumMode.values()) {
      gauge("kinmesh_quorum_mode", "1 for the current quorum mode, 0 for the others", "mode", lower(m.name()));
    }
  }

  /**
   * Copies one snapshot in.
   *
   * @param status the node's /status object
   * @param peers  the /peers list
   */
  public void update(JsonObject status, JsonArray peers) {
    set(gauge("kinmesh_pbft_height", "height of the last committed block"), status.getLong("height", 0L));
    set(gauge("kinmesh_pbft_view", "current PBFT view"), status.getLong("view", 0L));
    set(counter("kinmesh_pbft_view_changes", "view changes this node installed since it started"),
        status.getLong("view_changes", 0L));
    set(counter("kinmesh_pbft_equivocations", "peers caught signing two blocks for one height"),
        status.getLong("equivocations", 0L));
    JsonObject phases = status.getJsonObject("phases", new JsonObject());
    set(counter("kinmesh_pbft_committed_blocks", "blocks this node committed since it started"),
        phases.getLong("committed", 0L));
    JsonObject rejected = status.getJsonObject("rejected", new JsonObject());
    for (String reason : rejected.fieldNames()) {
      set(counter("kinmesh_pbft_rejected", "consensus messages refused, by reason", "reason", reason),
          rejected.getLong(reason, 0L));
    }
    String mode = status.getJsonObject("quorum", new JsonObject()).getString("mode", "");
    for (QuorumMode m : QuorumMode.values()) {
      set(gauge("kinmesh_quorum_mode", "", "mode", lower(m.name())), lower(m.name()).equals(mode) ? 1 : 0);
    }
    for (Object o : peers) {
      JsonObject p = (JsonObject) o;
      String peer = KeyIds.shortId(p.getString("pubkey", ""));
      String path = p.getString("path", "none");
      for (String each : PATHS) {
        set(gauge("kinmesh_peer_path", "1 for the path traffic to the peer takes now", "peer", peer, "path", each),
            each.equals(path) ? 1 : 0);
      }
    }
    gossip(status.getJsonObject("gossip"));
    commitLatency = LatencyHistogram.prometheus("kinmesh_pbft_commit_latency_seconds",
        "proposal seen to committed on this node, blocks committed in their proposal's view",
        status.getJsonObject("commit_latency"));
  }

  private void gossip(JsonObject g) {
    if (g == null) {
      return;
    }
    set(gauge("kinmesh_gossip_peers", "peers in the gossip table"), g.getLong("peers", 0L));
    set(gauge("kinmesh_gossip_peer_endpoints", "endpoints known for them"), g.getLong("peer_endpoints", 0L));
    set(gauge("kinmesh_gossip_entries", "announcements held"), g.getLong("entries", 0L));
    set(gauge("kinmesh_gossip_own_version", "version of this node's own announcement"), g.getLong("ver", 0L));
    JsonObject counters = g.getJsonObject("counters", new JsonObject());
    JsonObject dropped = counters.getJsonObject("dropped", new JsonObject());
    for (String reason : dropped.fieldNames()) {
      set(counter("kinmesh_gossip_dropped", "gossip messages dropped, by reason", "reason", reason),
          dropped.getLong(reason, 0L));
    }
    JsonObject events = counters.getJsonObject("events", new JsonObject());
    for (String event : events.fieldNames()) {
      set(counter("kinmesh_gossip_events", "gossip events, by kind", "event", event), events.getLong(event, 0L));
    }
  }

  public String scrape() {
    return registry.scrape() + commitLatency;
  }

  private AtomicLong gauge(String name, String help, String... tags) {
    return values.computeIfAbsent(key(name, tags), k -> {
      AtomicLong v = new AtomicLong();
      Gauge.builder(name, v, AtomicLong::doubleValue).description(help).tags(tags).register(registry);
      return v;
    });
  }

  /** Micrometer adds the _total suffix Prometheus counters carry. */
  private AtomicLong counter(String name, String help, String... tags) {
    return values.computeIfAbsent(key(name, tags), k -> {
      AtomicLong v = new AtomicLong();
      FunctionCounter.builder(name, v, AtomicLong::doubleValue).description(help).tags(tags).register(registry);
      return v;
    });
  }

  private static String key(String name, String... tags) {
    return name + String.join("\u0000", tags);
  }

  private static void set(AtomicLong meter, long value) {
    meter.set(value);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
