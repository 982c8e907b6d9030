package org.kinmesh.relay.stun;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.kinmesh.relay.RateLimiter;
import org.kinmesh.stun.StunResponder;
import org.kinmesh.util.Jitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's STUN Binding responder on UDP: one address, or four with {@code stun_alternate}
 * (RFC 5780: primary and alternate IP, each on the primary and alternate port). Every datagram
 * is size-checked, rate-limited per source IP, then answered by the pure {@link StunResponder};
 * each outcome is counted in {@code kinmesh_relay_stun_requests_total}.
 *
 * <p>The hot path runs on Netty directly, not on a Vert.x DatagramSocket: {@code stun_threads}
 * event loops of its own, each with one socket per address (SO_REUSEPORT, so the kernel spreads
 * clients over them), the sender's address used as is and replies flushed once per read batch.
 * Through Vert.x every reply paid a name resolution of the sender's text address and a flush of
 * its own, and one event loop carried every socket: it answered half of coturn's rate
 * (BENCHMARKS.md, STUN). This verticle only starts and stops that machinery.
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
  private EventLoopGroup group;
  private EventLoop[] loops;
  /** channels[socket number][loop]: socket number bit 0 = alternate port, bit 1 = alternate IP. */
  private final Channel[][] channels = new Channel[4][];
  private volatile StunResponder responder;
  private volatile List<InetSocketAddress> bound = List.of();
  private long evictionTimer = -1;
  private final io.netty.channel.ChannelFutureListener countFailure = f -> {
    if (!f.isSuccess()) {
      sendFailed.increment();
    }
  };

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
    group = new MultiThreadIoEventLoopGroup(config.threads(), new DefaultThreadFactory("kinmesh-stun", true),
        NioIoHandler.newFactory());
    loops = new EventLoop[config.threads()];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = group.next();
    }
    return vertx.executeBlocking(() -> {
      bindAll();
      return null;
    }, false).onSuccess(v -> {
      LOG.info("op=stun.listen addrs={} rfc5780={} threads={}", bound, responder.rfc5780(), loops.length);
      scheduleEviction();
    }).onFailure(e -> shutdown());
  }

  private Counter counter(String outcome) {
    return Counter.builder("kinmesh_relay_stun_requests").tag("outcome", outcome)
        .description("STUN datagrams by outcome: ok, bad_request, unknown_attribute (answered); oversized,"
            + " malformed, not_request, rate_limited (dropped); send_failed").register(registry);
  }

  /** Forgets sources with an empty window now and then, so the limiter's table stays small. */
  private void scheduleEviction() {
    evictionTimer = vertx.setTimer(Jitter.around(EVICT_EVERY_MS, 0.2), id -> {
      limiter.evictIdle();
      scheduleEviction();
    });
  }

  /**
   * Binds in the order primary, alternate-IP/primary-port, primary-IP/alternate-port, alternate
   * (blocking; on a worker). With port 0 the primary port is picked first and must then be free
   * on the alternate IP too: a clash closes everything and tries new ports.
   */
  private void bindAll() throws Exception {
    InetAddress ip1 = literal(config.listen().host());
    InetAddress ip2 = config.rfc5780() ? literal(config.alternateIp()) : null;
    boolean pickedPorts = config.listen().port() == 0 || (config.rfc5780() && config.alternatePort() == 0);
    for (int attempt = 1; ; attempt++) {
      try {
        int p1 = bind(0, ip1, config.listen().port());
        if (config.rfc5780()) {
          bind(2, ip2, p1);
          int p2 = bind(1, ip1, config.alternatePort());
          bind(3, ip2, p2);
        }
        List<InetSocketAddress> addrs = new ArrayList<>();
        for (Channel[] c : channels) {
          if (c != null) {
            addrs.add((InetSocketAddress) c[0].localAddress());
          }
        }
        responder = new StunResponder(addrs.get(0), config.rfc5780() ? addrs.get(3) : null, SOFTWARE);
        bound = List.copyOf(addrs);
        return;
      } catch (Exception e) {
        closeChannels();
        if (!pickedPorts || attempt >= BIND_ATTEMPTS) {
          throw new IllegalStateException("STUN responder cannot bind " + config.listen()
              + (config.rfc5780() ? " and " + config.alternateIp() : "") + ": " + e.getMessage()
              + "; stop what holds it or change stun_listen" + (config.rfc5780() ? " / stun_alternate" : "")
              + " in the config (\"off\" turns the responder off)", e);
        }
      }
    }
  }

  /** One socket per event loop on ip:port (port 0: the first picks it, the others share it); returns the port. */
  private int bind(int number, InetAddress ip, int port) throws InterruptedException {
    channels[number] = new Channel[loops.length];
    boolean share = loops.length > 1;
    for (int i = 0; i < loops.length; i++) {
      Bootstrap b = new Bootstrap().group(loops[i])
          .channelFactory(() -> new NioDatagramChannel(ip.getAddress().length == 4 ? SocketProtocolFamily.INET
              : SocketProtocolFamily.INET6))
          .option(ChannelOption.SO_RCVBUF, 1 << 20).option(ChannelOption.SO_SNDBUF, 1 << 20)
          .handler(new Answer(number, i));
      if (share) {
        b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
      }
      Channel c = b.bind(ip, port).sync().channel();
      channels[number][i] = c;
      port = ((InetSocketAddress) c.localAddress()).getPort();
    }
    return port;
  }

  private static InetAddress literal(String ip) throws UnknownHostException {
    return InetAddress.getByName(ip); // config checked it is an IP literal: no lookup
  }

  /** Answers the datagrams of one socket on one event loop. */
  private final class Answer extends ChannelInboundHandlerAdapter {
    private final int socket;
    private final int loop;
    private boolean pending;

    Answer(int socket, int loop) {
      this.socket = socket;
      this.loop = loop;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        answer(ctx, packet);
      } finally {
        packet.release();
      }
    }

    private void answer(ChannelHandlerContext ctx, DatagramPacket packet) {
      ByteBuf data = packet.content();
      int length = data.readableBytes();
      if (length > StunResponder.MAX_PADDED_REQUEST_BYTES) {
        outcomes.get(StunResponder.Outcome.OVERSIZED).increment();
        return;
      }
      InetSocketAddress from = packet.sender();
      if (!limiter.tryAcquire(from.getAddress().getHostAddress()).allowed()) {
        rateLimited.increment();
        return;
      }
      byte[] bytes = new byte[length];
      data.getBytes(data.readerIndex(), bytes);
      StunResponder.Reply reply = responder.respond(bytes, length, from, socket);
      outcomes.get(reply.outcome()).increment();
      if (reply.data() == null) {
        return;
      }
      InetSocketAddress to = reply.port() == from.getPort() ? from : new InetSocketAddress(from.getAddress(),
          reply.port());
      DatagramPacket out = new DatagramPacket(Unpooled.wrappedBuffer(reply.data()), to);
      if (reply.socket() == socket) {
        ctx.write(out).addListener(countFailure);
        pending = true; // flushed once per read batch
      } else {
        channels[reply.socket()][loop].writeAndFlush(out).addListener(countFailure);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (pending) {
        pending = false;
        ctx.flush();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("op=stun.socket_error err={}", cause.toString());
    }
  }

  private void closeChannels() {
    for (int n = 0; n < channels.length; n++) {
      if (channels[n] != null) {
        for (Channel c : channels[n]) {
          if (c != null) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
          }
        }
        channels[n] = null;
      }
    }
  }

  private Future<Void> shutdown() {
    return vertx.executeBlocking(() -> {
      closeChannels();
      if (group != null) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
      }
      return null;
    }, false);
  }

  @Override
  public Future<?> stop() {
    if (evictionTimer >= 0) {
      vertx.cancelTimer(evictionTimer);
    }
    return shutdown();
  }
}
