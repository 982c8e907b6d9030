package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;
import org.kinmesh.node.NodeConfig;

/** The node config keys of STUN: stun_servers, intervals.stun_refresh_secs, intervals.network_poll_secs. */
class StunNodeConfigTest {
  private static JsonObject minimal() {
    return new JsonObject().put("identity_path", "node.key").put("genesis_path", "genesis.json");
  }

  private static StunSettings settings(JsonObject json, Map<String, String> env) throws ConfigException {
    return org.kinmesh.node.PackageSettings.stun(NodeConfig.fromJson(json, env, null));
  }

  @Test
  void publicServersByDefaultButNoneForALoopbackNode() throws Exception {
    StunSettings public0 = settings(minimal(), Map.of());
    assertThat(public0.servers()).extracting(ServerSpec::toString).containsExactly("stun.l.google.com:19302",
        "stun.cloudflare.com:3478", "stun.stunprotocol.org:3478");
    assertThat(public0.refreshMillis()).isEqualTo(300_000);
    assertThat(public0.networkPollMillis()).isEqualTo(10_000);
    assertThat(public0.servers()).as("listen_host defaults to every interface, even with the API on loopback")
        .isNotEmpty();
    assertThat(settings(minimal().put("listen_host", "127.0.0.1"), Map.of()).servers()).isEmpty();
    assertThat(settings(minimal().put("listen_host", "::1"), Map.of()).servers()).isEmpty();
  }

  @Test
  void configuredServersEnvironmentAndEmptyList() throws Exception {
    StunSettings s = settings(minimal().put("stun_servers", new JsonArray().add("127.0.0.1:3478").add("[::1]")
        .add("stun.example.org")).put("intervals", new JsonObject().put("stun_refresh_secs", 60)
        .put("network_poll_secs", 2)), Map.of());
    assertThat(s.servers()).containsExactly(new ServerSpec("127.0.0.1", 3478), new ServerSpec("::1", 3478),
        new ServerSpec("stun.example.org", 3478));
    assertThat(s.refreshMillis()).isEqualTo(60_000);
    assertThat(s.networkPollMillis()).isEqualTo(2_000);
    assertThat(settings(minimal().put("api_listen", "0.0.0.0:1").put("stun_servers", new JsonArray()), Map.of())
        .servers()).as("[] turns STUN off").isEmpty();
    assertThat(settings(minimal().put("listen_host", "127.0.0.1"), Map.of("STUN_SERVERS", "127.0.0.1:1,127.0.0.2:2")).servers())
        .containsExactly(new ServerSpec("127.0.0.1", 1), new ServerSpec("127.0.0.2", 2));
    assertThat(settings(minimal().put("api_listen", "0.0.0.0:1"), Map.of("STUN_SERVERS", "")).servers()).isEmpty();
  }

  @Test
  void badValuesNameTheirKey() {
    bad(minimal().put("stun_servers", "127.0.0.1:3478"), "stun_servers", "list");
    bad(minimal().put("stun_servers", new JsonArray().add("bad_host:1")), "stun_servers", "not a host name");
    bad(minimal().put("stun_servers", new JsonArray().add("127.0.0.1:0")), "stun_servers", "1-65535");
    bad(minimal().put("stun_servers", new JsonArray().add(3478)), "stun_servers", "list of strings");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 17; i++) {
      many.add("127.0.0.1:" + (1000 + i));
    }
    bad(minimal().put("stun_servers", many), "stun_servers", "at most 16");
    bad(minimal().put("intervals", new JsonObject().put("stun_refresh_secs", 5)), "intervals.stun_refresh_secs",
        "between");
    bad(minimal().put("intervals", new JsonObject().put("network_poll_secs", 0)), "intervals.network_poll_secs",
        "between");
  }

  private static void bad(JsonObject json, String key, String message) {
    assertThatThrownBy(() -> NodeConfig.fromJson(json, Map.of(), null)).as(json.encode())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'" + key + "'").hasMessageContaining(message);
  }
}
