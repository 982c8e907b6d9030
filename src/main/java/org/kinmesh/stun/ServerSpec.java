package org.kinmesh.stun;

import java.util.regex.Pattern;
import org.kinmesh.wire.WireRules;

/**
 * A STUN server as configured: a DNS name or IP literal and a port (3478 when omitted).
 * Accepted forms: {@code host}, {@code host:port}, {@code 192.0.2.1:3478}, {@code [2001:db8::1]:3478},
 * {@code [2001:db8::1]} and a bare IPv6 literal.
 */
public record ServerSpec(String host, int port) {
  public static final int DEFAULT_PORT = 3478;
  /** The design's public servers: used only when none are configured (never by tests). */
  public static final java.util.List<String> PUBLIC_DEFAULTS = java.util.List.of("stun.l.google.com:19302",
      "stun.cloudflare.com:3478", "stun.stunprotocol.org:3478");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  /** Parses one server; the message of the IllegalArgumentException says what is wrong with it. */
  public static ServerSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty STUN server");
    }
    String s = text.trim();
    String host;
    String portText = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("STUN server '" + text + "': missing ']' after the IPv6 address");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("STUN server '" + text + "': expected ':port' after ']'");
        }
        portText = rest.substring(1);
      }
      if (!isIpv6(host)) {
        throw new IllegalArgumentException("STUN server '" + text + "': '" + host + "' is not an IPv6 address");
      }
    } else if (s.indexOf(':') != s.lastIndexOf(':')) {
      host = s; // several colons and no brackets: a bare IPv6 literal, default port
      if (!isIpv6(host)) {
        throw new IllegalArgumentException("STUN server '" + text + "': not host:port, and not an IPv6 address"
            + " (write IPv6 with a port as [address]:port)");
      }
    } else {
      int colon = s.indexOf(':');
      host = colon < 0 ? s : s.substring(0, colon);
      portText = colon < 0 ? null : s.substring(colon + 1);
      if (!WireRules.isIpv4(host) && !isDnsName(host)) {
        throw new IllegalArgumentException("STUN server '" + text + "': '" + host + "' is not a host name or IP address");
      }
    }
    return new ServerSpec(host, portText == null ? DEFAULT_PORT : port(text, portText));
  }

  private static int port(String text, String p) {
    if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("STUN server '" + text + "': port '" + p + "' is not a number");
    }
    int port = Integer.parseInt(p);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("STUN server '" + text + "': port " + port + " is not in 1-65535");
    }
    return port;
  }

  private static boolean isIpv6(String s) {
    return s.indexOf(':') >= 0 && WireRules.isIp(WireRules.canonicalIp(s.toLowerCase(java.util.Locale.ROOT)))
        && s.indexOf('%') < 0;
  }

  private static boolean isDnsName(String s) {
    String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    // all-numeric dotted names are malformed IPv4, not names
    if (name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
