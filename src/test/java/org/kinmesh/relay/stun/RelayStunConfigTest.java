package org.kinmesh.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.HostPort;
import org.kinmesh.relay.RelayConfig;

class RelayStunConfigTest {
  private static RelayStunConfig parse(JsonObject json) throws ConfigException {
    return RelayConfig.fromJson(json, Map.of()).stun();
  }

  @Test
  void defaultsToPort3478OnEveryInterfaceUnlessTheRelayItselfUsesPortZero() throws Exception {
    RelayStunConfig d = RelayConfig.defaults().stun();
    assertThat(d.listen()).isEqualTo(new HostPort("0.0.0.0", 3478));
    assertThat(d.rfc5780()).isFalse();
    assertThat(d.explicit()).isFalse();
    assertThat(d.rateLimitPerMin()).isEqualTo(600);
    assertThat(parse(new JsonObject().put("listen_addr", "127.0.0.1:0")).listen())
        .isEqualTo(new HostPort("127.0.0.1", 0));
    assertThat(parse(new JsonObject().put("listen_addr", "[::1]:0")).listen()).isEqualTo(new HostPort("::1", 0));
    assertThat(parse(new JsonObject().put("listen_addr", "127.0.0.1:5050")).listen())
        .isEqualTo(new HostPort("0.0.0.0", 3478));
  }

  @Test
  void canBeTurnedOffOrMovedAlsoFromTheEnvironment() throws Exception {
    assertThat(parse(new JsonObject().put("stun_listen", "")).enabled()).isFalse();
    assertThat(parse(new JsonObject().put("stun_listen", "off")).enabled()).isFalse();
    RelayStunConfig c = parse(new JsonObject().put("stun_listen", "127.0.0.1:0"));
    assertThat(c.explicit()).isTrue();
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 0));
    RelayStunConfig env = RelayConfig.fromJson(new JsonObject(), Map.of("RELAY_STUN_LISTEN", "127.0.0.5:4000",
        "RELAY_STUN_ALTERNATE", "127.0.0.6", "RELAY_STUN_RATE_LIMIT_PER_MIN", "7")).stun();
    assertThat(env.listen()).isEqualTo(new HostPort("127.0.0.5", 4000));
    assertThat(env.alternateIp()).isEqualTo("127.0.0.6");
    assertThat(env.alternatePort()).isEqualTo(4001);
    assertThat(env.rateLimitPerMin()).isEqualTo(7);
    assertThat(env.explicit()).isTrue();
  }

  @Test
  void alternateTakesAnIpAndOptionallyItsPort() throws Exception {
    JsonObject base = new JsonObject().put("stun_listen", "192.0.2.1:3478");
    RelayStunConfig a = parse(base.copy().put("stun_alternate", "192.0.2.2"));
    assertThat(a.rfc5780()).isTrue();
    assertThat(a.alternatePort()).isEqualTo(3479);
    assertThat(parse(base.copy().put("stun_alternate", "192.0.2.2:5000")).alternatePort()).isEqualTo(5000);
    assertThat(parse(new JsonObject().put("stun_listen", "127.0.0.1:0").put("stun_alternate", "127.0.0.2"))
        .alternatePort()).isZero();
    RelayStunConfig v6 = parse(new JsonObject().put("stun_listen", "[2001:db8::1]:3478")
        .put("stun_alternate", "[2001:db8::2]"));
    assertThat(v6.alternateIp()).isEqualTo("2001:db8::2");
    assertThat(v6.alternatePort()).isEqualTo(3479);
    assertThat(parse(new JsonObject().put("stun_listen", "[2001:db8::1]:3478")
        .put("stun_alternate", "2001:0db8::2")).alternateIp()).isEqualTo("2001:db8::2");
    assertThat(parse(new JsonObject().put("stun_listen", "[2001:db8::1]:3478")
        .put("stun_alternate", "[2001:db8::2]:9")).alternatePort()).isEqualTo(9);
  }

  @Test
  void badValuesNameTheirKey() {
    bad(new JsonObject().put("stun_listen", "localhost:3478"), "stun_listen", "IP address");
    bad(new JsonObject().put("stun_listen", "3478"), "stun_listen", "host:port");
    bad(new JsonObject().put("stun_listen", "1.2.3.4:70000"), "stun_listen", "port");
    bad(new JsonObject().put("stun_listen", 3478), "stun_listen", "string");
    bad(new JsonObject().put("stun_listen", "").put("stun_alternate", "127.0.0.2"), "stun_alternate", "needs");
    bad(new JsonObject().put("stun_alternate", "127.0.0.2"), "stun_listen", "concrete IP");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:3478").put("stun_alternate", "127.0.0.1"), "stun_alternate",
        "another IP");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:3478").put("stun_alternate", "::2"), "stun_alternate", "family");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:3478").put("stun_alternate", "example.org"), "stun_alternate",
        "IP address");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:3478").put("stun_alternate", "127.0.0.2:3478"),
        "stun_alternate", "differ");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:3478").put("stun_alternate", "127.0.0.2:0"), "stun_alternate",
        "port 0");
    bad(new JsonObject().put("stun_listen", "127.0.0.1:65535").put("stun_alternate", "127.0.0.2"), "stun_alternate",
        "out of range");
    bad(new JsonObject().put("stun_rate_limit_per_min", 0), "stun_rate_limit_per_min", "between");
    bad(new JsonObject().put("stun_listne", "1.2.3.4:1"), "stun_listne", "unknown key");
  }

  private static void bad(JsonObject json, String key, String message) {
    assertThatThrownBy(() -> parse(json)).as(json.encode()).isInstanceOf(ConfigException.class)
        .hasMessageContaining(key).hasMessageContaining(message);
  }
}
