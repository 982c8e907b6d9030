package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;

class NodeConfigTest {
  static JsonObject minimal() {
    return new JsonObject().put("identity_path", "node.key").put("genesis_path", "genesis.json");
  }

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    NodeConfig c = NodeConfig.fromJson(minimal(), Map.of(), null);
    assertThat(c.dataDir()).isEqualTo(Path.of("data"));
    assertThat(c.apiListen()).hasToString("127.0.0.1:8080");
    assertThat(c.gossipUdpPort()).isEqualTo(7070);
    assertThat(c.relayUrl()).isEqualTo("http://localhost:5050");
    assertThat(c.advertiseEndpoints()).isEmpty();
    assertThat(c.blockIntervalMs()).isEqualTo(1000);
    assertThat(c.emptyBlockIntervalMs()).isEqualTo(5000);
    assertThat(c.intervals().relayRegisterSecs()).isEqualTo(120);
    assertThat(c.quorum().emergencyMajority()).isFalse();
    assertThat(c.adminAllowRemote()).isFalse();
    assertThat(c.eventLoops()).isEqualTo(1);
  }

  @Test
  void busNamespaceDefaultsToKinmeshTakesTheEnvironmentAndRefusesBadNames() throws Exception {
    assertThat(NodeConfig.fromJson(minimal(), Map.of(), null).busScope().publicAddress("chain.submit"))
        .isEqualTo("kinmesh.chain.submit");
    NodeConfig c = NodeConfig.fromJson(minimal().put("bus_namespace", "home"), Map.of("BUS_NAMESPACE", "family.two"),
        null);
    assertThat(c.busScope().publicAddress("chain.submit")).isEqualTo("family.two.chain.submit");
    assertThat(c.busScope().internal("links.send")).isEqualTo("family.two.internal.links.send");
    for (String bad : new String[] {"", "Home", "a..b", "home.", "a b", "home.internal", "x".repeat(33)}) {
      assertThatThrownBy(() -> NodeConfig.fromJson(minimal().put("bus_namespace", bad), Map.of(), null))
          .as("bus_namespace '%s'", bad).isInstanceOf(org.kinmesh.config.ConfigException.class)
          .hasMessageStartingWith("config 'bus_namespace': bus namespace '" + bad + "'");
    }
  }

  @Test
  void environmentAndFlagOverride() throws Exception {
    NodeConfig c = NodeConfig.fromJson(minimal().put("relay_url", "http://a:1"),
        Map.of("RELAY_URL", "http://b:2", "BLOCKCHAIN_ID", "fam", "GOSSIP_UDP_PORT", "7171"), null);
    assertThat(c.relayUrl()).isEqualTo("http://b:2");
    assertThat(c.blockchainId()).isEqualTo("fam");
    assertThat(c.gossipUdpPort()).isEqualTo(7171);
    assertThat(NodeConfig.fromJson(minimal(), Map.of("EVENT_LOOPS", "4"), null).eventLoops()).isEqualTo(4);
    NodeConfig flagged = NodeConfig.fromJson(minimal(), Map.of("RELAY_URL", "http://b:2"), "http://c:3");
    assertThat(flagged.relayUrl()).isEqualTo("http://c:3");
  }

  @Test
  void badValuesNameTheirKey() {
    assertBad(new JsonObject().put("genesis_path", "g"), "identity_path");
    assertBad(minimal().put("api_listen", "nowhere"), "api_listen");
    assertBad(minimal().put("listen_host", "example.org"), "listen_host");
    assertBad(minimal().put("relay_url", "ftp://x"), "relay_url");
    assertBad(minimal().put("gossip_udp_port", 70000), "gossip_udp_port");
    assertBad(minimal().put("advertise_endpoints", new JsonArray().add("host.example:1")), "advertise_endpoints");
    assertBad(minimal().put("block_interval_ms", 0), "block_interval_ms");
    assertBad(minimal().put("empty_block_interval_ms", 10), "empty_block_interval_ms");
    assertBad(minimal().put("intervals", new JsonObject().put("relay_register_secs", "soon")),
        "intervals.relay_register_secs");
    assertBad(minimal().put("intervals", new JsonObject().put("relay_register", 1)), "intervals.relay_register");
    assertBad(minimal().put("quorum", new JsonObject().put("min_viable_nodes", 0)), "quorum.min_viable_nodes");
    assertBad(minimal().put("blockchain_id", "bad id"), "blockchain_id");
    assertBad(minimal().put("colour", "blue"), "colour");
    assertBad(minimal().put("event_loops", 0), "event_loops");
    assertBad(minimal().put("event_loops", 65), "event_loops");
    assertBad(minimal().put("event_loops", "many"), "event_loops");
  }

  @Test
  void serverLimitsAndAllowedHosts() throws Exception {
    NodeConfig d = NodeConfig.fromJson(minimal(), Map.of(), null);
    assertThat(d.serverLimits()).isEqualTo(new org.kinmesh.net.ServerLimits(10_000, 60_000, 64));
    assertThat(d.apiAllowedHosts()).isEmpty();
    NodeConfig c = NodeConfig.fromJson(minimal().put("http_request_timeout_secs", 3).put("http_idle_timeout_secs", 20)
        .put("max_connections_per_ip", 8), Map.of("API_ALLOWED_HOSTS", "Kin.Home.Arpa, nas.local"), null);
    assertThat(c.serverLimits()).isEqualTo(new org.kinmesh.net.ServerLimits(3_000, 20_000, 8));
    assertThat(c.apiAllowedHosts()).containsExactly("kin.home.arpa", "nas.local");
    // A live link is silent up to a heartbeat (3 s): the idle timeout must leave room for three.
    assertBad(minimal().put("http_idle_timeout_secs", 5), "http_idle_timeout_secs");
    assertBad(minimal().put("http_request_timeout_secs", 0), "http_request_timeout_secs");
    assertBad(minimal().put("max_connections_per_ip", 0), "max_connections_per_ip");
    assertBad(minimal().put("api_allowed_hosts", new JsonArray().add("evil.example:80")), "api_allowed_hosts");
  }

  private static void assertBad(JsonObject json, String key) {
    assertThatThrownBy(() -> NodeConfig.fromJson(json, Map.of(), null)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config '" + key + "'");
  }
}
