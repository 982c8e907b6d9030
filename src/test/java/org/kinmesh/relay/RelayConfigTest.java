package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;

class RelayConfigTest {
  static final String KEY = "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";

  @Test
  void defaultsMatchTheDocumentedOnes() {
    RelayConfig c = RelayConfig.defaults();
    assertThat(c.listen().host()).isEqualTo("0.0.0.0");
    assertThat(c.listen().port()).isEqualTo(5050);
    assertThat(c.dbPath()).isEqualTo(Path.of("relay.db"));
    assertThat(c.ttlSecs()).isEqualTo(300);
    assertThat(c.tokenTtlSecs()).isEqualTo(300);
    assertThat(c.adminPubkeys()).isEmpty();
    assertThat(c.openRegistration()).isFalse();
    assertThat(c.rateLimitPerMin()).isEqualTo(100);
    assertThat(c.freshnessSecs()).isEqualTo(300);
    assertThat(c.trustedProxies().isEmpty()).isTrue();
    assertThat(c.tls()).isNull();
    assertThat(c.bootstrap()).isEmpty();
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    JsonObject file = new JsonObject().put("listen_addr", "127.0.0.1:1").put("ttl_secs", 60).put("db_path", "a.db");
    RelayConfig c = RelayConfig.fromJson(file, Map.of("RELAY_LISTEN_ADDR", "[::1]:6000", "RELAY_DB_PATH", "/tmp/b.db",
        "RELAY_TTL_SECS", "120", "RELAY_ADMIN_PUBKEYS", KEY, "RELAY_OPEN_REGISTRATION", "true"));
    assertThat(c.listen()).hasToString("[::1]:6000");
    assertThat(c.dbPath()).isEqualTo(Path.of("/tmp/b.db"));
    assertThat(c.ttlSecs()).isEqualTo(120);
    assertThat(c.tokenTtlSecs()).isEqualTo(120);
    assertThat(c.adminPubkeys()).containsExactly(KEY);
    assertThat(c.openRegistration()).isTrue();
  }

  /** Issue 12.7: a relative db_path in the file is the config file's directory's; one from the environment is not. */
  @Test
  void aRelativeDbPathIsRelativeToTheConfigFile() throws Exception {
    Path base = Path.of("/srv/relay");
    assertThat(RelayConfig.fromJson(new JsonObject().put("db_path", "state/relay.db"), Map.of(), base).dbPath())
        .isEqualTo(Path.of("/srv/relay/state/relay.db"));
    assertThat(RelayConfig.fromJson(new JsonObject(), Map.of(), base).dbPath()).isEqualTo(Path.of("/srv/relay/relay.db"));
    assertThat(RelayConfig.fromJson(new JsonObject().put("db_path", "/var/lib/r.db"), Map.of(), base).dbPath())
        .isEqualTo(Path.of("/var/lib/r.db"));
    assertThat(RelayConfig.fromJson(new JsonObject(), Map.of("RELAY_DB_PATH", "x.db"), base).dbPath())
        .isEqualTo(Path.of("x.db"));
  }

  @Test
  void badValuesNameTheirKey() {
    assertBad(new JsonObject().put("ttl_secs", "300"), "ttl_secs");
    assertBad(new JsonObject().put("ttl_secs", 0), "ttl_secs");
    assertBad(new JsonObject().put("listen_addr", "localhost"), "listen_addr");
    assertBad(new JsonObject().put("listen_addr", "0.0.0.0:99999"), "listen_addr");
    assertBad(new JsonObject().put("admin_pubkeys", new JsonArray().add("ABC")), "admin_pubkeys");
    assertBad(new JsonObject().put("admin_pubkeys", "x"), "admin_pubkeys");
    assertBad(new JsonObject().put("open_registration", "yes"), "open_registration");
    assertBad(new JsonObject().put("rate_limit_per_min", -1), "rate_limit_per_min");
    assertBad(new JsonObject().put("trusted_proxies", new JsonArray().add("proxy.example")), "trusted_proxies");
    assertBad(new JsonObject().put("trusted_proxies", new JsonArray().add("10.0.0.0/33")), "trusted_proxies");
    assertBad(new JsonObject().put("tls", new JsonObject().put("cert_path", "c.pem")), "tls");
    assertBad(new JsonObject().put("bootstrap", new JsonArray().add(new JsonObject().put("blockchain_id", "x"))),
        "bootstrap[0].genesis_hash");
    assertBad(new JsonObject().put("ttl_sec", 300), "ttl_sec");
    assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject(), Map.of("RELAY_TLS", "x")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("config 'tls'");
    assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject(), Map.of("RELAY_BOOTSTRAP", "x")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("config 'bootstrap'");
    assertBad(new JsonObject().put("tls", new JsonObject().put("cert_path", "/nope.pem").put("key_path", "/nope.key")),
        "tls.cert_path");
    assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject(), Map.of("RELAY_TTL_SECS", "five")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ttl_secs");
  }

  @Test
  void bootstrapEntriesParse() throws Exception {
    RelayConfig c = RelayConfig.fromJson(new JsonObject().put("bootstrap", new JsonArray().add(new JsonObject()
        .put("blockchain_id", "fam").put("genesis_hash", KEY).put("admin_pubkey", KEY)
        .put("authorized_pubkeys", new JsonArray().add(KEY)))), Map.of());
    assertThat(c.bootstrap()).singleElement().satisfies(b -> {
      assertThat(b.blockchainId()).isEqualTo("fam");
      assertThat(b.authorizedPubkeys()).containsExactly(KEY);
    });
  }

  @Test
  void connectionLimits() throws Exception {
    assertThat(RelayConfig.defaults().limits()).isEqualTo(new org.kinmesh.net.ServerLimits(10_000, 60_000, 256));
    RelayConfig c = RelayConfig.fromJson(new JsonObject().put("relayed_ping_secs", 5), Map.of(
        "RELAY_HTTP_REQUEST_TIMEOUT_SECS", "2", "RELAY_HTTP_IDLE_TIMEOUT_SECS", "10",
        "RELAY_MAX_CONNECTIONS_PER_IP", "1000"));
    assertThat(c.limits()).isEqualTo(new org.kinmesh.net.ServerLimits(2_000, 10_000, 1000));
    // The relay pings a relayed connection every relayed_ping_secs: the idle timeout must not cut it first.
    assertBad(new JsonObject().put("http_idle_timeout_secs", 59), "http_idle_timeout_secs");
    assertBad(new JsonObject().put("max_connections_per_ip", 0), "max_connections_per_ip");
  }

  private static void assertBad(JsonObject json, String key) {
    assertThatThrownBy(() -> RelayConfig.fromJson(json, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("config '" + key + "'");
  }
}
