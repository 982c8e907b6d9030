package org.kinmesh.config;

/** A listen address such as {@code 0.0.0.0:5050} or {@code [::1]:0}; port 0 picks a free port. */
public record HostPort(String host, int port) {

  public static HostPort parse(String key, String text) throws ConfigException {
    String host;
    String portText;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw new ConfigException(key, "must look like [ipv6]:port (got '" + text + "')");
      }
      host = text.substring(1, close);
      portText = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new ConfigException(key, "must look like host:port (got '" + text + "')");
      }
      host = text.substring(0, colon);
      portText = text.substring(colon + 1);
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "port '" + portText + "' is not a number");
    }
    if (port < 0 || port > 65_535 || host.isEmpty()) {
      throw new ConfigException(key, "must be host:port with port 0-65535 (got '" + text + "')");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
