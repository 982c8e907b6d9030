package org.kinmesh.wire.gossip;

import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/** An endpoint string: {@code ip:port} for IPv4, {@code [ipv6]:port} for IPv6 (PROTOCOL.md §1). */
public record Endpoint(String ip, int port) {

  public static Endpoint parse(String s) throws WireException {
    if (s == null || s.length() > 47) {
      throw WireException.malformed("endpoint too long");
    }
    String ip;
    String portText;
    if (s.startsWith("[")) {
      int close = s.indexOf("]:");
      if (close < 0) {
        throw WireException.malformed("IPv6 endpoint must be [ip]:port: " + s);
      }
      ip = s.substring(1, close);
      portText = s.substring(close + 2);
      if (!WireRules.isCanonicalIpv6(ip)) {
        throw WireException.malformed("endpoint IPv6 address is not canonical: " + s);
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0) {
        throw WireException.malformed("endpoint must be ip:port: " + s);
      }
      ip = s.substring(0, colon);
      portText = s.substring(colon + 1);
      if (!WireRules.isIpv4(ip)) {
        throw WireException.malformed("endpoint IPv4 address is malformed: " + s);
      }
    }
    if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')
        || (portText.length() > 1 && portText.charAt(0) == '0')) {
      throw WireException.malformed("endpoint port is malformed: " + s);
    }
    int port = Integer.parseInt(portText);
    if (!WireRules.isPort(port)) {
      throw WireException.malformed("endpoint port out of range: " + s);
    }
    return new Endpoint(ip, port);
  }

  @Override
  public String toString() {
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
