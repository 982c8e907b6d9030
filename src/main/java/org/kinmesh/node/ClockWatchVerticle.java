package org.kinmesh.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.util.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects clock samples (links: a peer's signed hello; the relay client: the relay's Date
 * header), answers the estimate for /status, and WARNs when this machine's clock is off by more
 * than half the freshness window: past the window peers and the relay refuse its messages as
 * stale_timestamp, and nothing else would tell the user why.
 */
public final class ClockWatchVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public ClockWatchVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(ClockWatchVerticle.class);
  /** How often a clock that stays off is reported again. */
  static final long REWARN_MS = 10 * 60_000L;

  private final TimeSource clock;
  private final long warnAboveMs;
  private final long freshnessSecs;
  private final ClockOffsets offsets = new ClockOffsets();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long warnedAtMs = Long.MIN_VALUE / 2;

  /** @param freshnessSecs the window peers and the relay allow a timestamp; the WARN starts at half of it */
  public ClockWatchVerticle(TimeSource clock, long freshnessSecs) {
    this.clock = clock;
    this.freshnessSecs = freshnessSecs;
    this.warnAboveMs = freshnessSecs * 1000 / 2;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>localConsumer(addresses.clock().sample(), m -> sample(m.body())));
    consumers.add(bus.localConsumer(addresses.clock().status(), m -> m.reply(status())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done);
  }

  private void sample(JsonObject s) {
    String source = s == null ? null : s.getString("source");
    Long offset = s == null ? null : s.getLong("offset_ms");
    if (source == null || offset == null) {
      return;
    }
    long now = clock.nowMillis();
    offsets.add(source, offset, now);
    ClockOffsets.Estimate e = offsets.estimate(now);
    if (e != null && Math.abs(e.offsetMs()) > warnAboveMs && now - warnedAtMs >= REWARN_MS) {
      warnedAtMs = now;
      LOG.warn("op=clock this machine's clock is {} s {} (measured from {}); enable time sync (NTP): peers and the"
          + " relay refuse messages more than {} s off as stale_timestamp", Math.abs(e.offsetMs()) / 1000,
          e.offsetMs() > 0 ? "ahead" : "behind", e.source().equals("peers") ? e.samples() + " peer(s)" : "the relay",
          freshnessSecs);
    } else if (e != null && Math.abs(e.offsetMs()) <= warnAboveMs && warnedAtMs > Long.MIN_VALUE / 2) {
      warnedAtMs = Long.MIN_VALUE / 2;
      LOG.info("op=clock this machine's clock is within {} s of the others again", Math.abs(e.offsetMs()) / 1000);
    }
  }

  private JsonObject status() {
    ClockOffsets.Estimate e = offsets.estimate(clock.nowMillis());
    if (e == null) {
      return new JsonObject();
    }
    return new JsonObject().put("clock_offset_ms", e.offsetMs()).put("clock_offset_source", e.source())
        .put("clock_offset_samples", e.samples()).put("clock_ok", Math.abs(e.offsetMs()) <= warnAboveMs);
  }
}
