package org.kinmesh.node.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.wire.WireRules;

/**
 * Which {@code Host} headers the node API answers (docs/security.md, DNS rebinding). A web page
 * whose name an attacker rebinds to 127.0.0.1 still sends its own name as Host, so the API
 * serves only names it knows: {@code localhost}, any IP literal (an address cannot be rebound,
 * and peers post gossip to this node's IP), and the configured {@code api_allowed_hosts}.
 * A request without Host is served: no browser sends one.
 */
public final class HostCheck {
  private final Set<String> allowed;

  public HostCheck(List<String> allowedNames) {
    this.allowed = Set.copyOf(allowedNames);
  }

  /** Validates and lower-cases configured names (DNS names, no port, no wildcard). */
  public static List<String> parseAllowed(String key, List<String> names) throws ConfigException {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String name = n.toLowerCase(Locale.ROOT);
      if (!isDnsName(name)) {
        throw new ConfigException(key, "'" + n + "' is not a host name (letters, digits, '-' and '.'; no port, "
            + "no scheme, no '*')");
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  /** True when a request with this Host header (null: none) may be served. */
  public boolean allows(String hostHeader) {
    if (hostHeader == null) {
      return true;
    }
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    String name;
    String port;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0) {
        return false;
      }
      name = h.substring(1, end);
      String rest = h.substring(end + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return false;
      }
      port = rest.isEmpty() ? null : rest.substring(1);
      if (!isIpv6Literal(name)) {
        return false;
      }
    } else {
      int colon = h.lastIndexOf(':');
      name = colon < 0 ? h : h.substring(0, colon);
      port = colon < 0 ? null : h.substring(colon + 1);
      if (name.endsWith(".")) {
        name = name.substring(0, name.length() - 1);
      }
      if (!name.equals("localhost") && !WireRules.isIpv4(name) && !allowed.contains(name)) {
        return false;
      }
    }
    return port == null || isPort(port);
  }

  private static boolean isPort(String p) {
    if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    int v = Integer.parseInt(p);
    return v >= 1 && v <= 65_535;
  }

  /** Hex groups and colons (an embedded IPv4 tail allowed); never a name, so never resolved. */
  private static boolean isIpv6Literal(String s) {
    if (s.isEmpty() || s.length() > 45 || s.indexOf(':') < 0
        || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(s) != null;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static boolean isDnsName(String s) {
    if (s.isEmpty() || s.length() > 253 || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (String label : s.split("\\.")) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")
          || !label.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
