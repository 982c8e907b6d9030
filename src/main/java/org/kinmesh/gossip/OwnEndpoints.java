package org.kinmesh.gossip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;

/** What a node announces about itself, in its order of preference. */
public final class OwnEndpoints {
  private OwnEndpoints() {}

  /**
   * The operator's advertise_endpoints first (they know their port forwards), then the public
   * endpoint STUN found, then the socket's local addresses; duplicates dropped, at most six.
   */
  public static List<Endpoint> choose(List<Endpoint> advertise, Endpoint stunPublic, List<Endpoint> local) {
    Set<Endpoint> out = new LinkedHashSet<>(advertise);
    if (stunPublic != null) {
      out.add(stunPublic);
    }
    out.addAll(local);
    List<Endpoint> list = new ArrayList<>(out);
    return List.copyOf(list.subList(0, Math.min(list.size(), GossipConfig.MAX_ENDPOINTS)));
  }

  /**
   * The endpoints of a socket bound to {@code host}: that address itself, or, for a wildcard
   * bind, the machine's up, non-loopback, non-link-local addresses (loopback when there is no
   * other). Blocking (it asks the OS): call it off the event loop.
   */
  public static List<Endpoint> local(String host, int port) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("0:0:0:0:0:0:0:0")) {
      return List.of(new Endpoint(WireRules.canonicalIp(host), port));
    }
    List<Endpoint> out = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          boolean v6 = a instanceof Inet6Address;
          if (a.isLinkLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()
              || (v6 && host.equals("0.0.0.0")) || !(a instanceof Inet4Address || v6)) {
            continue;
          }
          String ip = WireRules.canonicalIp(a.getHostAddress());
          if (WireRules.isIp(ip)) {
            out.add(new Endpoint(ip, port));
          }
        }
      }
    } catch (SocketException e) {
      // fall back to loopback below
    }
    if (out.isEmpty()) {
      out.add(new Endpoint("127.0.0.1", port));
    }
    return out;
  }
}
