package org.kinmesh.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The relay's Prometheus metrics: requests by endpoint and outcome, latencies, live entries. */
public final class RelayMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Meters by name; looking them up in the registry on every request cost more than the request. */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public RelayMetrics(RelayDirectory directory) {
    Gauge.builder("kinmesh_relay_live_entries", directory, RelayDirectory::liveCount)
        .description("registrations younger than the TTL sweep").register(registry);
    Gauge.builder("kinmesh_relay_blockchains", directory, RelayDirectory::chainCount)
        .description("registered blockchains").register(registry);
  }

  /** Failed database writes (a full disk) and whether the last write went through. */
  public void storage(org.kinmesh.store.WriteHealth writes) {
    io.micrometer.core.instrument.FunctionCounter.builder("kinmesh_relay_db_write_failures", writes,
        w -> w.status().writeFailures()).description("database writes that failed (a full disk)").register(registry);
    Gauge.builder("kinmesh_relay_db_writable", writes, w -> w.status().ok() ? 1 : 0)
        .description("1 while database writes go through, 0 after one failed until one succeeds").register(registry);
  }

  /** Counts one answered request; outcome is "ok" or a PROTOCOL.md error code. */
  public void request(String endpoint, String outcome, long nanos) {
    counters.computeIfAbsent(endpoint + '/' + outcome, k -> Counter.builder("kinmesh_relay_requests")
        .tag("endpoint", endpoint).tag("outcome", outcome)
        .description("relay requests by endpoint and outcome").register(registry)).increment();
    timers.computeIfAbsent(endpoint, k -> Timer.builder("kinmesh_relay_request_duration").tag("endpoint", endpoint)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void evicted(int count) {
    Counter.builder("kinmesh_relay_evicted_entries").description("entries removed by the TTL sweep")
        .register(registry).increment(count);
  }

  /** The registry, for meters kept elsewhere (relayed traffic, the STUN responder). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }
}
