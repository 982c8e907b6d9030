package org.kinmesh.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A pure, in-memory network for {@link NatProbe}: one host behind a simulated NAT of a chosen
 * mapping and filtering behaviour, and STUN servers that answer per RFC 5780 (four addresses)
 * or like a plain RFC 8489 server. Time only moves when the driver moves it.
 */
final class SimLab {
  enum NatKind { NONE, FULL_CONE, RESTRICTED, PORT_RESTRICTED, SYMMETRIC }

  static final InetSocketAddress HOST = StunCodecTest.addr("10.0.0.2", 5000);
  static final InetAddress PUBLIC_IP = StunCodecTest.addr("198.51.100.1", 0).getAddress();

  /** A server: primary address, and an alternate (IP and port) when it does RFC 5780. */
  enum Change { HONOURS, IGNORES, REJECTS_420 }

  record Server(InetSocketAddress primary, InetSocketAddress alternate, Change change) {
    static Server rfc5780(String ip1, String ip2) {
      return new Server(StunCodecTest.addr(ip1, 3478), StunCodecTest.addr(ip2, 3479), Change.HONOURS);
    }

    static Server plain(String ip) {
      return new Server(StunCodecTest.addr(ip, 3478), null, Change.IGNORES);
    }

    Server with(Change c) {
      return new Server(primary, alternate, c);
    }

    Set<InetSocketAddress> sockets() {
      Set<InetSocketAddress> s = new HashSet<>();
      s.add(primary);
      if (alternate != null) {
        s.add(alternate);
        s.add(new InetSocketAddress(primary.getAddress(), alternate.getPort()));
        s.add(new InetSocketAddress(alternate.getAddress(), primary.getPort()));
      }
      return s;
    }
  }

  private record InFlight(long at, long seq, InetSocketAddress from, byte[] data) {}

  final NatKind nat;
  final List<Server> servers = new ArrayList<>();
  /** Datagrams towards a matching destination vanish (a dead server, a blocked path). */
  Predicate<InetSocketAddress> dropTo = a -> false;
  long latencyMillis = 5;
  /** Extra delay of the Nth answer that gets through (0: the first, e.g. a client still cold when it arrives). */
  final Map<Integer, Long> extraDelayOfAnswer = new HashMap<>();
  private int answered;
  long now = 1_000_000;
  final List<Long> sendTimes = new ArrayList<>();
  final List<InetSocketAddress> sentTo = new ArrayList<>();
  private final Map<String, Integer> mappings = new HashMap<>();
  private final Set<String> permissions = new HashSet<>();
  private final PriorityQueue<InFlight> inbound = new PriorityQueue<>((a, b) -> a.at != b.at
      ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long seq;
  private int nextPort = 40000;

  SimLab(NatKind nat, Server... servers) {
    this.nat = nat;
    this.servers.addAll(List.of(servers));
  }

  Set<InetAddress> localAddresses() {
    return Set.of(HOST.getAddress());
  }

  List<StunServer> stunServers() {
    List<StunServer> out = new ArrayList<>();
    for (Server s : servers) {
      out.add(new StunServer("sim-" + s.primary(), s.primary()));
    }
    return out;
  }

  /** Runs a probe to completion and returns its result. */
  ProbeResult run(NatProbe probe) {
    send(probe.start(now));
    for (int steps = 0; !probe.done(); steps++) {
      if (steps > 10_000) {
        throw new AssertionError("probe does not finish");
      }
      long wake = probe.nextWakeup();
      InFlight next = inbound.peek();
      if (next != null && next.at <= wake) {
        inbound.poll();
        now = Math.max(now, next.at);
        send(probe.onDatagram(next.from, next.data, now));
      } else if (wake != Long.MAX_VALUE) {
        now = Math.max(now, wake);
        send(probe.onTimer(now));
      } else {
        throw new AssertionError("probe waits for nothing but is not done");
      }
    }
    return probe.result();
  }

  /** The NAT forgets every mapping and hole (flushed state, expiry): the next datagram gets a new port. */
  void forgetMappings() {
    mappings.clear();
    permissions.clear();
  }

  /** Puts a datagram in front of the probe at {@code at}, as if it came from {@code from}. */
  void inject(long at, InetSocketAddress from, byte[] data) {
    inbound.add(new InFlight(at, seq++, from, data));
  }

  private void send(List<NatProbe.Outgoing> out) {
    for (NatProbe.Outgoing o : out) {
      sendTimes.add(now);
      sentTo.add(o.to());
      InetSocketAddress source = translate(o.to());
      if (dropTo.test(o.to())) {
        continue;
      }
      for (Server s : servers) {
        if (s.sockets().contains(o.to())) {
          answer(s, o.to(), source, o.data());
        }
      }
    }
  }

  /** The NAT's outbound side: the public source of a datagram to {@code dest}, and the filter hole it opens. */
  private InetSocketAddress translate(InetSocketAddress dest) {
    if (nat == NatKind.NONE) {
      return HOST;
    }
    String key = nat == NatKind.SYMMETRIC ? dest.toString() : "any";
    int port = mappings.computeIfAbsent(key, k -> nextPort++);
    permissions.add(port + "|" + dest.getAddress().getHostAddress());
    permissions.add(port + "|" + dest);
    return new InetSocketAddress(PUBLIC_IP, port);
  }

  /** The NAT's inbound side: may a datagram from {@code from} reach public port {@code port}? */
  private boolean admits(int port, InetSocketAddress from) {
    return switch (nat) {
      case NONE, FULL_CONE -> true;
      case RESTRICTED -> permissions.contains(port + "|" + from.getAddress().getHostAddress());
      case PORT_RESTRICTED, SYMMETRIC -> permissions.contains(port + "|" + from);
    };
  }

  private void answer(Server s, InetSocketAddress receivedOn, InetSocketAddress client, byte[] data) {
    StunMessage req;
    try {
      req = StunCodec.decode(data);
    } catch (StunParseException e) {
      throw new AssertionError("the probe sent a malformed request", e);
    }
    boolean changeIp = false;
    boolean changePort = false;
    var cr = req.first(StunAttribute.ChangeRequest.class);
    boolean asked = cr.isPresent() && (cr.get().changeIp() || cr.get().changePort());
    if (asked && s.change() == Change.REJECTS_420) {
      deliver(client, receivedOn, StunCodec.encode(new StunMessage(StunClass.ERROR, StunMessage.BINDING, req.id(),
          List.of(new StunAttribute.ErrorCode(420, "Unknown Attribute"),
              new StunAttribute.UnknownAttributes(List.of(StunAttribute.CHANGE_REQUEST))), true)));
      return;
    }
    if (asked && s.change() == Change.HONOURS) {
      changeIp = cr.get().changeIp();
      changePort = cr.get().changePort();
    }
    InetSocketAddress from = new InetSocketAddress(
        changeIp ? flip(receivedOn.getAddress(), s) : receivedOn.getAddress(),
        changePort ? flipPort(receivedOn.getPort(), s) : receivedOn.getPort());
    List<StunAttribute> attrs = new ArrayList<>();
    attrs.add(new StunAttribute.XorMappedAddress(client));
    if (s.alternate() != null) {
      attrs.add(new StunAttribute.OtherAddress(new InetSocketAddress(flip(receivedOn.getAddress(), s),
          flipPort(receivedOn.getPort(), s))));
    }
    deliver(client, from, StunCodec.encode(new StunMessage(StunClass.SUCCESS, StunMessage.BINDING, req.id(), attrs,
        true)));
  }

  private void deliver(InetSocketAddress client, InetSocketAddress from, byte[] resp) {
    if (nat == NatKind.NONE || (client.getAddress().equals(PUBLIC_IP) && admits(client.getPort(), from))) {
      inbound.add(new InFlight(now + latencyMillis + extraDelayOfAnswer.getOrDefault(answered++, 0L), seq++, from, resp));
    }
  }

  private static InetAddress flip(InetAddress ip, Server s) {
    return ip.equals(s.primary().getAddress()) ? s.alternate().getAddress() : s.primary().getAddress();
  }

  private static int flipPort(int port, Server s) {
    return port == s.primary().getPort() ? s.alternate().getPort() : s.primary().getPort();
  }
}
