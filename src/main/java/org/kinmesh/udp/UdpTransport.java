package org.kinmesh.udp;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.bus.LocalCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node's single UDP socket (ARCHITECTURE.md): STUN, gossip, punch probes and link
 * frames all leave and arrive here, so the NAT mapping STUN discovers is the one peers punch
 * to. Inbound datagrams are classified by their first bytes and published per kind; anything
 * unrecognised or oversized is dropped and counted. Other verticles send by putting a
 * {@link UdpDatagram} on {@link UdpAddresses#send()}.
 */
public final class UdpTransport extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
  /** Largest datagram accepted: gossip is at most 1,200 bytes and link frames fit in that too. */
  public static final int MAX_DATAGRAM_BYTES = 1_500;

  private final String host;
  private final int port;
  private final UdpAddresses addresses;
  private final Map<DatagramKind, AtomicLong> received = new EnumMap<>(DatagramKind.class);
  private final AtomicLong droppedOversized = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sendFailures = new AtomicLong();
  /** Each kind's inbound address, built once: per datagram the concatenation cost ~4 % of a busy node. */
  private final java.util.Map<DatagramKind, String> inboundAddress = new java.util.EnumMap<>(DatagramKind.class);
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private DatagramSocket socket;
  private volatile int boundPort = -1;

  public UdpTransport(String host, int port, UdpAddresses addresses) {
    this.host = host;
    this.port = port;
    this.addresses = addresses;
    for (DatagramKind k : DatagramKind.values()) {
      inboundAddress.put(k, addresses.inbound(k));
    }
    for (DatagramKind k : DatagramKind.values()) {
      received.put(k, new AtomicLong());
    }
  }

  /** The bound port, once started (useful when configured with port 0). */
  public int boundPort() {
    return boundPort;
  }

  public String boundHost() {
    return host;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, UdpDatagram.class);
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(1 << 20)
        .setSendBufferSize(1 << 20).setIpV6(host.contains(":")));
    socket.handler(this::onPacket);
    socket.exceptionHandler(e -> LOG.debug("op=udp.socket_error err={}", e.toString()));
    EventBus bus = vertx.eventBus();
    MessageConsumer<UdpDatagram> send = bus.localConsumer(addresses.send(), m -> send(m.body()));
    MessageConsumer<Object> info = bus.localConsumer(addresses.info(), m -> m.reply(info()));
    consumers.add(send);
    consumers.add(info);
    return Future.all(send.completion(), info.completion())
        .compose(v -> socket.listen(port, host))
        .onSuccess(s -> {
          boundPort = s.localAddress().port();
          LOG.info("op=udp.listen addr={}:{}", host, boundPort);
        });
  }

  private void onPacket(DatagramPacket packet) {
    Buffer data = packet.data();
    if (data.length() > MAX_DATAGRAM_BYTES) {
      droppedOversized.incrementAndGet();
      return;
    }
    DatagramKind kind = DatagramKind.of(data);
    received.get(kind).incrementAndGet();
    if (kind == DatagramKind.UNKNOWN) {
      return;
    }
    var from = packet.sender();
    vertx.eventBus().publish(inboundAddress.get(kind), new UdpDatagram(from.hostAddress(), from.port(), data));
  }

  private void send(UdpDatagram d) {
    if (d.data().length() > MAX_DATAGRAM_BYTES) {
      sendFailures.incrementAndGet();
      LOG.warn("op=udp.send refused {} bytes to {} (max {})", d.data().length(), d.remote(), MAX_DATAGRAM_BYTES);
      return;
    }
    socket.send(d.data(), d.port(), d.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        sent.incrementAndGet();
      } else {
        sendFailures.incrementAndGet();
        LOG.debug("op=udp.send to={} err={}", d.remote(), ar.cause().toString());
      }
    });
  }

  /** The bound address and every counter; also the body of the info request. */
  public JsonObject info() {
    JsonObject in = new JsonObject();
    received.forEach((k, v) -> in.put(k.name().toLowerCase(java.util.Locale.ROOT), v.get()));
    return new JsonObject().put("host", host).put("port", boundPort).put("received", in)
        .put("dropped_unknown", received.get(DatagramKind.UNKNOWN).get())
        .put("dropped_oversized", droppedOversized.get()).put("sent", sent.get())
        .put("send_failures", sendFailures.get());
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (MessageConsumer<?> c : consumers) {
      closing.add(c.unregister());
    }
    if (socket != null) {
      closing.add(socket.close());
    }
    return Future.join(closing);
  }
}
