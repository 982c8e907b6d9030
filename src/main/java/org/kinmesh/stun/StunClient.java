package org.kinmesh.stun;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.kinmesh.wire.WireRules;

/**
 * The thin I/O shell around {@link NatProbe}: sends what a probe asks through a {@link Sender}
 * (a socket of its own, or the node's UdpTransport), feeds it the datagrams the owner of the
 * socket hands to {@link #onDatagram} and arms one Vert.x timer per probe. Every method must be
 * called on the one context that also delivers the datagrams.
 */
public final class StunClient {
  /** Puts one datagram on the socket. */
  @FunctionalInterface
  public interface Sender {
    void send(InetSocketAddress to, byte[] data);
  }

  private final Vertx vertx;
  private final Sender sender;
  private final List<Run> runs = new ArrayList<>();

  public StunClient(Vertx vertx, Sender sender) {
    this.vertx = vertx;
    this.sender = sender;
  }

  /** The probe's time: monotonic milliseconds, the time Vert.x timers run on (not a node's injected clock). */
  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** Runs one probe; completes with its result (never fails: "nothing answered" is a result). */
  public Future<ProbeResult> probe(List<StunServer> servers, Set<InetAddress> localAddresses, int localPort,
      ProbeSettings settings) {
    return probe(servers, localAddresses, localPort, settings, null);
  }

  /** Same, a re-probe on this socket: {@code previous} is its last result (NatProbe keeps its verdict if still mapped). */
  public Future<ProbeResult> probe(List<StunServer> servers, Set<InetAddress> localAddresses, int localPort,
      ProbeSettings settings, ProbeResult previous) {
    Run run = new Run(new NatProbe(servers, localAddresses, localPort, settings, previous));
    runs.add(run);
    run.handle(run.probe.start(now()));
    return run.promise.future();
  }

  /** A STUN datagram that arrived on the socket. */
  public void onDatagram(InetSocketAddress from, byte[] data) {
    for (Run r : List.copyOf(runs)) {
      r.handle(r.probe.onDatagram(from, data, now()));
    }
  }

  /** Same, from the text address a Vert.x socket reports; anything but an IP literal is ignored. */
  public void onDatagram(String host, int port, byte[] data) {
    InetSocketAddress from = literal(host, port);
    if (from != null) {
      onDatagram(from, data);
    }
  }

  public int running() {
    return runs.size();
  }

  /** Stops every probe; their futures fail. */
  public void cancelAll() {
    for (Run r : List.copyOf(runs)) {
      r.cancel();
    }
  }

  /** An IP literal as a socket address, without any name lookup; null for anything else. */
  public static InetSocketAddress literal(String host, int port) {
    String ip = WireRules.canonicalIp(host);
    if (ip == null || !WireRules.isIp(ip) || port < 0 || port > 65_535) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port); // a literal: no DNS
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The canonical text of an address's IP (RFC 5952 for IPv6, as PROTOCOL.md wants). */
  public static String ipText(InetSocketAddress a) {
    return WireRules.canonicalIp(a.getAddress().getHostAddress());
  }

  /** "ip:port" or "[ipv6]:port". */
  public static String endpointText(InetSocketAddress a) {
    String ip = ipText(a);
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + a.getPort() : ip + ":" + a.getPort();
  }

  private final class Run {
    final NatProbe probe;
    final Promise<ProbeResult> promise = Promise.promise();
    long timer = -1;

    Run(NatProbe probe) {
      this.probe = probe;
    }

    void handle(List<NatProbe.Outgoing> out) {
      for (NatProbe.Outgoing o : out) {
        sender.send(o.to(), o.data());
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      if (probe.done()) {
        runs.remove(this);
        promise.tryComplete(probe.result());
        return;
      }
      long wake = probe.nextWakeup();
      if (wake != Long.MAX_VALUE) {
        timer = vertx.setTimer(Math.max(1, wake - now()), id -> {
          timer = -1;
          handle(probe.onTimer(now()));
        });
      }
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      runs.remove(this);
      promise.tryFail("STUN probe cancelled");
    }
  }
}
