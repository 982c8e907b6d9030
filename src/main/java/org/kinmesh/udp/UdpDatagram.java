package org.kinmesh.udp;

import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * One datagram to send or that arrived: the remote address (an IP literal, never a name) and
 * the bytes. Passed between the node's verticles by reference over the event bus.
 */
public record UdpDatagram(String host, int port, Buffer data) {
  public UdpDatagram {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(data, "data");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** "ip:port", or "[ipv6]:port". */
  public String remote() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
