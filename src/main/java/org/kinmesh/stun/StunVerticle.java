package org.kinmesh.stun;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.kinmesh.bus.BusScope;
import org.kinmesh.bus.LocalCodec;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.util.Jitter;
import org.kinmesh.wire.gossip.NatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Stun verticle: owns its public endpoint and NAT type. It probes through the node's
 * single UDP socket (UdpTransport), so the mapping it finds is the one gossip and punching use;
 * at start, every {@code stun_refresh_secs} ± 10 %, when the interface addresses change (polled
 * every {@code network_poll_secs} ± 20 %) and on {@link StunAddresses#refresh}. It publishes
 * {@link StunAddresses#state} when the view changes and after each probe that found an
 * endpoint, and answers {@link StunAddresses#stateQuery}. Start-up does not wait for the
 * first probe (servers may be unreachable for 5 s each): until it ends the view is "unknown".
 */
public final class StunVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StunVerticle.class);

  private final StunSettings settings;
  private final UdpAddresses udp;
  private StunAddresses addresses = StunAddresses.DEFAULT;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private StunClient client;
  private int localPort = -1;
  private boolean ipv4 = true;
  private Set<InetAddress> localAddresses = Set.of();
  private InetSocketAddress endpoint;
  private NatType nat = NatType.UNKNOWN;
  /** The last probe that found an endpoint: a re-probe on the same socket may keep its verdict (NatProbe). */
  private ProbeResult last;
  private Future<StunView> running;
  private boolean again;
  private long refreshTimer = -1;
  private long pollTimer = -1;
  private boolean stopping;

  public StunVerticle(StunSettings settings, UdpAddresses udp) {
    this.settings = settings;
    this.udp = udp;
  }

  /** Provides this node's Stun addresses (default: the default namespace's); call before deploying. */
  public StunVerticle scoped(BusScope scope) {
    this.addresses = StunAddresses.in(scope);
    return this;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, StunView.class);
    EventBus bus = vertx.eventBus();
    client = new StunClient(vertx, (to, data) -> bus.send(udp.send(),
        new UdpDatagram(StunClient.ipText(to), to.getPort(), Buffer.buffer(data))));
    consumers.add(bus.<UdpDatagram>localConsumer(udp.inbound(DatagramKind.STUN),
        m -> client.onDatagram(m.body().host(), m.body().port(), m.body().data().getBytes())));
    consumers.add(bus.localConsumer(addresses.stateQuery(), m -> m.reply(state())));
    consumers.add(bus.localConsumer(addresses.refresh(), m -> refresh("requested").onComplete(ar -> m.reply(state()))));
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready)
        .compose(v -> bus.<JsonObject>request(udp.info(), null))
        .compose(info -> {
          localPort = info.body().getInteger("port");
          ipv4 = !info.body().getString("host").contains(":");
          return vertx.executeBlocking(LocalAddresses::current);
        })
        .onSuccess(addrs -> {
          localAddresses = addrs;
          if (settings.servers().isEmpty()) {
            LOG.info("op=stun.off no stun_servers: public endpoint unknown, nat_type unknown");
            return;
          }
          refresh("start");
          schedulePoll();
        });
  }

  /** Stun's view: the body of StunAddresses#state, typed (consumers use it as it is). */
  private StunView state() {
    return StunView.of(endpoint, nat, localPort);
  }

  /**
   * Runs a probe, or joins the one running; a network change during a probe asks for one more
   * right after it, since the running one may have measured the old network.
   */
  private Future<StunView> refresh(String reason) {
    if (settings.servers().isEmpty() || stopping) {
      return Future.succeededFuture(state());
    }
    if (running != null) {
      if (!reason.equals("requested")) {
        again = true;
      }
      return running;
    }
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
      refreshTimer = -1;
    }
    Promise<StunView> done = Promise.promise();
    running = done.future();
    LOG.debug("op=stun.probe reason={} servers={}", reason, settings.servers().size());
    StunResolver.resolve(vertx, settings.servers(), ipv4).compose(resolved -> {
      for (ServerOutcome f : resolved.failures()) {
        LOG.debug("op=stun.resolve server={} err={}", f.server(), f.error());
      }
      return client.probe(resolved.servers(), localAddresses, localPort, settings.probe(), last);
    }).onComplete(ar -> {
      running = null;
      if (ar.succeeded()) {
        ProbeResult r = ar.result();
        LOG.debug("op=stun.probed reason={} public={} nat={} took={}ms", reason,
            r.publicEndpoint() == null ? "none" : StunClient.endpointText(r.publicEndpoint()), r.natType().wire(),
            r.elapsedMillis());
        if (r.publicEndpoint() != null) {
          last = r;
        }
        apply(r);
      } else if (!stopping) {
        LOG.warn("op=stun.probe failed: {}; retried at the next refresh; kinmesh stun shows what each server"
            + " answers", ar.cause().toString());
      }
      done.complete(state());
      if (stopping) {
        return;
      }
      if (again) {
        again = false;
        refresh("network change");
      } else {
        scheduleRefresh();
      }
    });
    return running;
  }

  private void apply(ProbeResult r) {
    boolean changed = !java.util.Objects.equals(endpoint, r.publicEndpoint()) || nat != r.natType();
    // no answer at all keeps the last endpoint (a flaky server is not a new network), but says so
    if (r.publicEndpoint() == null && endpoint != null) {
      LOG.warn("op=stun.probe no server answered; keeping {} ({}); check that outgoing UDP is allowed and the"
          + " stun_servers in the config (kinmesh stun tests them)", StunClient.endpointText(endpoint), nat.wire());
      return;
    }
    endpoint = r.publicEndpoint();
    nat = r.natType();
    if (changed) {
      LOG.info("op=stun.state public={} nat={} mapping={} filtering={} server={} took={}ms",
          endpoint == null ? "none" : StunClient.endpointText(endpoint), nat.wire(),
          r.classification().mapping().wire(), r.classification().filtering().wire(), r.server(), r.elapsedMillis());
    }
    if (changed || endpoint != null) {
      vertx.eventBus().publish(addresses.state(), state());
    }
  }

  private void scheduleRefresh() {
    refreshTimer = vertx.setTimer(Jitter.around(settings.refreshMillis(), 0.1), id -> {
      refreshTimer = -1;
      refresh("periodic");
    });
  }

  /** Polls the interface addresses; a different set means a different network: probe again. */
  private void schedulePoll() {
    pollTimer = vertx.setTimer(Jitter.around(settings.networkPollMillis(), 0.2), id -> vertx
        .executeBlocking(LocalAddresses::current).onComplete(ar -> {
          if (stopping) {
            return;
          }
          if (ar.succeeded() && !ar.result().equals(localAddresses)) {
            LOG.info("op=stun.network_change addresses {} -> {}", localAddresses.size(), ar.result().size());
            localAddresses = ar.result();
            refresh("network change");
          }
          schedulePoll();
        }));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    if (client != null) {
      client.cancelAll();
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done);
  }
}
