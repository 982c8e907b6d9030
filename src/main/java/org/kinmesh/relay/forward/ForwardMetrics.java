package org.kinmesh.relay.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Relayed-traffic metrics in the relay's registry (docs/relay.md, "Metrics"). The per-frame
 * counters are resolved once, so the forwarding path never looks a meter up.
 */
final class ForwardMetrics {
  private final MeterRegistry registry;
  private final Counter frames;
  private final Counter bytes;
  private final Counter malformed;
  private final Counter noticesDropped;
  private final Map<Undeliverable, Counter> dropped = new EnumMap<>(Undeliverable.class);
  private final Map<String, Counter> connects = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();

  /** @param openConnections held strongly by the hub: Micrometer keeps only a weak reference to a gauge's object */
  ForwardMetrics(MeterRegistry registry, AtomicInteger openConnections) {
    this.registry = registry;
    frames = Counter.builder("kinmesh_relay_forward_frames").description("frames forwarded between nodes")
        .register(registry);
    bytes = Counter.builder("kinmesh_relay_forward_bytes").description("payload bytes forwarded between nodes")
        .register(registry);
    for (Undeliverable u : Undeliverable.values()) {
      dropped.put(u, droppedCounter(u.code()));
    }
    malformed = droppedCounter("malformed");
    noticesDropped = Counter.builder("kinmesh_relay_forward_notices_dropped")
        .description("undeliverable notices not sent because the sender's own queue was full").register(registry);
    Gauge.builder("kinmesh_relay_forward_connections", openConnections, AtomicInteger::get)
        .description("open relayed-traffic connections (authenticated)").register(registry);
  }

  private Counter droppedCounter(String reason) {
    return Counter.builder("kinmesh_relay_forward_dropped_frames").tag("reason", reason)
        .description("frames the relay did not forward, by reason").register(registry);
  }

  void forwarded(int payloadBytes) {
    frames.increment();
    bytes.increment(payloadBytes);
  }

  void dropped(Undeliverable reason) {
    dropped.get(reason).increment();
  }

  void malformed() {
    malformed.increment();
  }

  void noticeDropped() {
    noticesDropped.increment();
  }

  /** A connect handshake's outcome: "ok" or a refusal's code. */
  void connect(String outcome) {
    connects.computeIfAbsent(outcome, k -> Counter.builder("kinmesh_relay_forward_connects").tag("outcome", k)
        .description("relayed-traffic connection attempts by outcome").register(registry)).increment();
  }

  /** Why an open connection ended: "closed" (by the node or the network) or a close reason's code. */
  void closed(String reason) {
    closes.computeIfAbsent(reason, k -> Counter.builder("kinmesh_relay_forward_closes").tag("reason", k)
        .description("open relayed-traffic connections that ended, by reason").register(registry)).increment();
  }
}
