package org.kinmesh.relay.stun;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.relay.RateLimiter;
import org.kinmesh.stun.StunResponder;
import org.kinmesh.util.Jitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's STUN Binding responder on UDP: one socket, or four with {@code stun_alternate}
 * (RFC 5780: primary and alternate IP, each on the primary and alternate port). Every datagram
 * is size-checked, then rate-limited per source IP, then answered by the pure
 * {@link StunResponder}; each outcome is counted in {@code kinmesh_relay_stun_requests_total}.
 */
public final class RelayStunVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RelayStunVerticle.class);
  private static final int BIND_ATTEMPTS = 5;
  private static final long EVICT_EVERY_MS = 60_000;
  static final String SOFTWARE = "kinmesh relay";

  private final RelayStunConfig config;
  private final RateLimiter limiter;
  private final MeterRegistry registry;
  private final Map<StunResponder.Outcome, Counter> outcomes = new EnumMap<>(StunResponder.Outcome.class);
  private Counter rateLimited;
  private Counter sendFailed;
  /** By StunResponder socket number: bit 0 alternate port, bit 1 alternate IP. */
  private final DatagramSocket[] sockets = new DatagramSocket[4];
  private StunResponder responder;
  private volatile List<InetSocketAddress> bound = List.of();
  private long evictionTimer = -1;

  public RelayStunVerticle(RelayStunConfig config, RateLimiter limiter, MeterRegistry registry) {
    this.config = config;
    this.limiter = limiter;
    this.registry = registry;
  }

  /** The bound addresses in StunResponder's socket order (one, or four), once started. */
  public List<InetSocketAddress> addresses() {
    return bound;
  }

  @Override
  public Future<?> start() {
    for (StunResponder.Outcome o : StunResponder.Outcome.values()) {
      outcomes.put(o, counter(o.metric()));
    }
    rateLimited = counter("rate_limited");
    sendFailed = counter("send_failed");
    return bindAll(BIND_ATTEMPTS).onSuccess(v -> {
      LOG.info("op=stun.listen addrs={} rfc5780={}", bound, responder.rfc5780());
      scheduleEviction();
    });
  }

  /** Forgets sources with an empty window now and then, so the limiter's table stays small. */
  private void scheduleEviction() {
    evictionTimer = vertx.setTimer(Jitter.around(EVICT_EVERY_MS, 0.2), id -> {
      limiter.evictIdle();
      scheduleEviction();
    });
  }

  private Counter counter(String outcome) {
    return Counter.builder("kinmesh_relay_stun_requests").tag("outcome", outcome)
        .description("STUN datagrams by outcome: ok, bad_request, unknown_attribute (answered); oversized,"
            + " malformed, not_request, rate_limited (dropped); send_failed").register(registry);
  }

  /**
   * Binds the sockets in order primary, alternate-IP/primary-port, primary-IP/alternate-port,
   * alternate: with port 0 the primary port is picked first and must then be free on the
   * alternate IP too, so a clash closes everything and tries new ports.
   */
  private Future<Void> bindAll(int attemptsLeft) {
    String ip1 = config.listen().host();
    String ip2 = config.alternateIp();
    Future<Void> chain = listen(0, config.listen().port(), ip1);
    if (config.rfc5780()) {
      chain = chain.compose(v -> listen(2, port(0), ip2))
          .compose(v -> listen(1, config.alternatePort(), ip1))
          .compose(v -> listen(3, port(1), ip2));
    }
    return chain.compose(v -> {
      List<InetSocketAddress> addrs = new ArrayList<>();
      for (DatagramSocket s : sockets) {
        if (s != null) {
          addrs.add(inet(s.localAddress().hostAddress(), s.localAddress().port()));
        }
      }
      responder = new StunResponder(addrs.get(0), config.rfc5780() ? addrs.get(3) : null, SOFTWARE);
      bound = List.copyOf(addrs);
      return Future.<Void>succeededFuture();
    }).recover(e -> closeAll().compose(v -> {
      boolean pickedPorts = config.listen().port() == 0 || (config.rfc5780() && config.alternatePort() == 0);
      if (!pickedPorts || attemptsLeft <= 1) {
        return Future.failedFuture(new IllegalStateException("STUN responder cannot bind " + config.listen()
            + (config.rfc5780() ? " and " + ip2 : "") + ": " + e.getMessage(), e));
      }
      return bindAll(attemptsLeft - 1);
    }));
  }

  private int port(int socket) {
    return sockets[socket].localAddress().port();
  }

  private Future<Void> listen(int number, int port, String host) {
    DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(host.contains(":"))
        .setReceiveBufferSize(1 << 20).setSendBufferSize(1 << 20));
    sockets[number] = s;
    return s.listen(port, host).map(x -> {
      s.handler(p -> onPacket(number, p));
      return null;
    });
  }

  private void onPacket(int socket, DatagramPacket p) {
    Buffer data = p.data();
    if (data.length() > StunResponder.MAX_PADDED_REQUEST_BYTES) {
      outcomes.get(StunResponder.Outcome.OVERSIZED).increment();
      return;
    }
    String ip = p.sender().hostAddress();
    if (!limiter.tryAcquire(ip).allowed()) {
      rateLimited.increment();
      return;
    }
    InetSocketAddress from = inet(ip, p.sender().port());
    if (from == null) {
      outcomes.get(StunResponder.Outcome.MALFORMED).increment();
      return;
    }
    byte[] bytes = data.getBytes();
    StunResponder.Reply reply = responder.respond(bytes, bytes.length, from, socket);
    outcomes.get(reply.outcome()).increment();
    if (reply.data() != null) {
      sockets[reply.socket()].send(Buffer.buffer(reply.data()), reply.port(), ip).onFailure(e -> {
        sendFailed.increment();
        LOG.debug("op=stun.send to={} err={}", from, e.toString());
      });
    }
  }

  /** An address from a socket's own text form (always an IP literal: no lookup). */
  private static InetSocketAddress inet(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (int i = 0; i < sockets.length; i++) {
      if (sockets[i] != null) {
        closing.add(sockets[i].close());
        sockets[i] = null;
      }
    }
    return Future.join(closing).mapEmpty().otherwiseEmpty().mapEmpty();
  }

  @Override
  public Future<?> stop() {
    if (evictionTimer >= 0) {
      vertx.cancelTimer(evictionTimer);
    }
    return closeAll();
  }
}
