package org.kinmesh.relay.stun;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;
import org.kinmesh.config.HostPort;
import org.kinmesh.wire.WireRules;

/**
 * The relay's STUN responder settings (docs/relay.md, docs/stun.md), read from the relay config's
 * top-level keys {@code stun_listen}, {@code stun_alternate}, {@code stun_rate_limit_per_min} and
 * {@code stun_threads} (environment: RELAY_STUN_LISTEN, ...).
 *
 * <p>{@code stun_listen} defaults to 0.0.0.0:3478, except for a relay whose {@code listen_addr}
 * has port 0 (tests, the demo): its STUN socket takes a free port on the same host too, so
 * such relays never fight over 3478. An empty value or "off" turns the responder off. When the
 * default cannot be bound the relay starts without STUN and says so; an explicit value must bind.
 *
 * @param listen null when off
 * @param alternateIp the second IP for RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST), or null
 * @param alternatePort the alternate port (0: a free one)
 * @param threads event loops answering, each with its own socket per address (SO_REUSEPORT)
 */
public record RelayStunConfig(HostPort listen, String alternateIp, int alternatePort, int rateLimitPerMin,
    int threads, boolean explicit) {
  public static final int DEFAULT_PORT = 3478;
  public static final int DEFAULT_RATE_PER_MIN = 600;

  public boolean enabled() {
    return listen != null;
  }

  public boolean rfc5780() {
    return alternateIp != null;
  }

  public static RelayStunConfig parse(JsonObject json, Map<String, String> env, String envPrefix, HostPort http)
      throws ConfigException {
    ConfigReader r = new ConfigReader(json, env, envPrefix);
    boolean explicit = (json != null && json.containsKey("stun_listen")) || env.containsKey(envPrefix + "STUN_LISTEN");
    String dflt = http.port() == 0 ? new HostPort(http.host(), 0).toString() : "0.0.0.0:" + DEFAULT_PORT;
    String text = r.string("stun_listen", dflt).trim();
    int rate = (int) r.longValue("stun_rate_limit_per_min", DEFAULT_RATE_PER_MIN, 1, 10_000_000);
    int threads = (int) r.longValue("stun_threads", Math.min(8, Runtime.getRuntime().availableProcessors()), 1, 64);
    String alt = r.string("stun_alternate", "").trim();
    if (text.isEmpty() || text.equalsIgnoreCase("off")) {
      if (!alt.isEmpty()) {
        throw new ConfigException("stun_alternate", "needs stun_listen (the STUN responder is off)");
      }
      return new RelayStunConfig(null, null, 0, rate, threads, explicit);
    }
    HostPort listen = HostPort.parse("stun_listen", text);
    if (!WireRules.isIp(WireRules.canonicalIp(listen.host()))) {
      throw new ConfigException("stun_listen", "must be an IP address and port, e.g. 0.0.0.0:3478 (got '" + text + "')");
    }
    listen = new HostPort(WireRules.canonicalIp(listen.host()), listen.port());
    if (alt.isEmpty()) {
      return new RelayStunConfig(listen, null, 0, rate, threads, explicit);
    }
    String altIp;
    Integer altPort = null;
    long colons = alt.chars().filter(c -> c == ':').count();
    if (alt.contains("]:") || (!alt.startsWith("[") && colons == 1)) {
      HostPort hp = HostPort.parse("stun_alternate", alt); // [ipv6]:port or ipv4:port
      altIp = hp.host();
      altPort = hp.port();
    } else if (alt.startsWith("[") && alt.endsWith("]")) {
      altIp = alt.substring(1, alt.length() - 1);
    } else {
      altIp = alt; // ipv4, or a bare ipv6
    }
    altIp = WireRules.canonicalIp(altIp);
    if (!WireRules.isIp(altIp)) {
      throw new ConfigException("stun_alternate", "must be an IP address, or IP:port for the alternate port (got '"
          + alt + "')");
    }
    boolean v6 = altIp.indexOf(':') >= 0;
    if (listen.host().equals("0.0.0.0") || listen.host().equals("::")) {
      throw new ConfigException("stun_listen", "must be a concrete IP, not " + listen.host()
          + ", when stun_alternate is set (RFC 5780 answers from a chosen address)");
    }
    if (v6 != (listen.host().indexOf(':') >= 0)) {
      throw new ConfigException("stun_alternate", "must be of the same IP family as stun_listen");
    }
    if (altIp.equals(listen.host())) {
      throw new ConfigException("stun_alternate", "must be another IP than stun_listen's");
    }
    int port;
    if (altPort != null) {
      if (altPort == 0 && listen.port() != 0) {
        throw new ConfigException("stun_alternate", "port 0 needs stun_listen port 0 too");
      }
      if (altPort != 0 && altPort == listen.port()) {
        throw new ConfigException("stun_alternate", "port must differ from stun_listen's port");
      }
      port = altPort;
    } else if (listen.port() == 0) {
      port = 0;
    } else if (listen.port() == 65_535) {
      throw new ConfigException("stun_alternate", "give the alternate port: stun_listen's port + 1 is out of range");
    } else {
      port = listen.port() + 1;
    }
    return new RelayStunConfig(listen, altIp, port, rate, threads, explicit);
  }
}
