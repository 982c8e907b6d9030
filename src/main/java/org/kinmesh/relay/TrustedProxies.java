package org.kinmesh.relay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.config.ConfigException;

/**
 * Proxies whose X-Forwarded-For header the relay believes (addresses or CIDR blocks). The
 * client address is the right-most hop that is not a trusted proxy; from anyone else the
 * header is ignored, so a client cannot pick the address its rate limit is counted against.
 */
public final class TrustedProxies {
  private final List<byte[]> networks;
  private final List<Integer> prefixes;

  private TrustedProxies(List<byte[]> networks, List<Integer> prefixes) {
    this.networks = networks;
    this.prefixes = prefixes;
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of(), List.of());
  }

  public static TrustedProxies parse(String key, List<String> entries) throws ConfigException {
    List<byte[]> nets = new ArrayList<>();
    List<Integer> prefixes = new ArrayList<>();
    for (String entry : entries) {
      String addr = entry;
      int prefix = -1;
      int slash = entry.indexOf('/');
      if (slash >= 0) {
        addr = entry.substring(0, slash);
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new ConfigException(key, "'" + entry + "' has a bad prefix length");
        }
      }
      byte[] bytes = literal(addr);
      if (bytes == null) {
        throw new ConfigException(key, "'" + entry + "' is not an IP address or CIDR block");
      }
      if (prefix == -1) {
        prefix = bytes.length * 8;
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new ConfigException(key, "'" + entry + "' has a bad prefix length");
      }
      nets.add(bytes);
      prefixes.add(prefix);
    }
    return new TrustedProxies(List.copyOf(nets), List.copyOf(prefixes));
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  public boolean trusts(String ip) {
    byte[] bytes = literal(ip);
    if (bytes == null) {
      return false;
    }
    for (int i = 0; i < networks.size(); i++) {
      if (matches(networks.get(i), prefixes.get(i), bytes)) {
        return true;
      }
    }
    return false;
  }

  /** The client address for a request from {@code peerIp} carrying {@code forwardedFor} (may be null). */
  public String clientAddress(String peerIp, String forwardedFor) {
    if (forwardedFor == null || !trusts(peerIp)) {
      return peerIp;
    }
    String[] hops = forwardedFor.split(",");
    String client = peerIp;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (literal(hop) == null) {
        return client;
      }
      client = hop;
      if (!trusts(hop)) {
        return hop;
      }
    }
    return client;
  }

  private static boolean matches(byte[] net, int prefix, byte[] addr) {
    if (net.length != addr.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != addr[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (net[full] & mask) == (addr[full] & mask);
  }

  /** Parses an IP literal without any name lookup; null when it is not one. */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return null;
    }
    if (s.indexOf(':') < 0 && !org.kinmesh.wire.WireRules.isIpv4(s)) {
      return null; // never let getByName fall through to a DNS lookup
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
