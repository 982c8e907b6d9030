package org.kinmesh.stun;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN client with a UDP socket of its own, for the {@code kinmesh stun} command and tests
 * (a node probes through its UdpTransport instead, see StunVerticle).
 */
public final class StunSocketVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StunSocketVerticle.class);

  private final String host;
  private final int port;
  private DatagramSocket socket;
  private StunClient client;
  private volatile int boundPort = -1;

  public StunSocketVerticle(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public int boundPort() {
    return boundPort;
  }

  public boolean ipv4() {
    return !host.contains(":");
  }

  @Override
  public Future<?> start() {
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(!ipv4()));
    client = new StunClient(vertx, (to, data) -> socket.send(Buffer.buffer(data), to.getPort(),
        StunClient.ipText(to)).onFailure(e -> LOG.debug("op=stun.send to={} err={}", to, e.toString())));
    socket.handler(p -> client.onDatagram(p.sender().hostAddress(), p.sender().port(), p.data().getBytes()));
    return socket.listen(port, host).onSuccess(s -> boundPort = s.localAddress().port());
  }

  /** Runs one probe on this verticle's context; callable from any thread. */
  public Future<ProbeResult> probe(List<StunServer> servers, Set<InetAddress> localAddresses, ProbeSettings settings) {
    Promise<ProbeResult> p = Promise.promise();
    context.runOnContext(v -> client.probe(servers, localAddresses, boundPort, settings).onComplete(p));
    return p.future();
  }

  @Override
  public Future<?> stop() {
    if (client != null) {
      client.cancelAll();
    }
    return socket == null ? Future.succeededFuture() : socket.close();
  }
}
