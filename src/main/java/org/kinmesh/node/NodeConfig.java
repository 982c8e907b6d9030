package org.kinmesh.node;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;
import org.kinmesh.config.HostPort;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.node.link.PathPolicy;
import org.kinmesh.gossip.GossipConfig;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * A node's configuration (docs/node.md lists every key). Scalar and list keys can be
 * overridden by an environment variable named as the key in upper case (RELAY_URL,
 * BLOCKCHAIN_ID, GOSSIP_UDP_PORT, DATA_DIR, API_LISTEN, ...); the CLI's --relay-server beats
 * both. Validated as a whole at start-up; every error names its key.
 */
public record NodeConfig(
    Path identityPath,
    String blockchainId,
    Path genesisPath,
    Path dataDir,
    HostPort apiListen,
    int gossipUdpPort,
    String relayUrl,
    List<Endpoint> advertiseEndpoints,
    long blockIntervalMs,
    long emptyBlockIntervalMs,
    Intervals intervals,
    QuorumPolicy quorum,
    boolean adminAllowRemote,
    PathPolicy pathPolicy,
    List<org.kinmesh.stun.ServerSpec> stunServers,
    GossipConfig gossip,
    String listenHost,
    int eventLoops,
    org.kinmesh.net.ServerLimits serverLimits,
    List<String> apiAllowedHosts,
    org.kinmesh.bus.BusScope busScope) {

  /**
   * A node's verticles talk over the event bus; on one event loop a message between them is a
   * queued call, not a wake-up of another thread, which halves commit latency when several nodes
   * share a small machine (BENCHMARKS.md). Signature checks of transaction batches run on worker
   * threads either way. A node serving many peers or API clients may raise it.
   */
  public static final int DEFAULT_EVENT_LOOPS = 1;

  private static final Set<String> KEYS = Set.of("identity_path", "blockchain_id", "genesis_path", "data_dir",
      "api_listen", "gossip_udp_port", "relay_url", "advertise_endpoints", "block_interval_ms",
      "empty_block_interval_ms", "intervals", "quorum", "admin_allow_remote", "force_relay", "direct_only",
      "stun_servers", "gossip", "listen_host", "event_loops", "api_allowed_hosts", "http_request_timeout_secs",
      "http_idle_timeout_secs", "max_connections_per_ip", "bus_namespace");

  /** The API's and the link port's limits (docs/security.md); 64 connections a source covers a household's peers. */
  public static final org.kinmesh.net.ServerLimits DEFAULT_SERVER_LIMITS =
      new org.kinmesh.net.ServerLimits(10_000, 60_000, 64);

  /** Periodic work, each timer re-armed with fresh jitter. */
  public record Intervals(long relayRegisterSecs, long peerRetryMaxSecs, long lookupCacheSecs,
      long viewChangeTimeoutMs, long stunRefreshSecs, long networkPollSecs) {}

  public static NodeConfig fromJson(JsonObject json, Map<String, String> env, String relayServerFlag)
      throws ConfigException {
    return fromJson(json, env, relayServerFlag, null);
  }

  /**
   * As above; {@code baseDir} (the config file's directory, or null for the working directory)
   * anchors relative paths given in the file, so a node starts the same from any directory.
   * Paths from the environment stay relative to the working directory, where the shell set them.
   */
  public static NodeConfig fromJson(JsonObject json, Map<String, String> env, String relayServerFlag, Path baseDir)
      throws ConfigException {
    ConfigReader r = new ConfigReader(json, env, "");
    r.rejectUnknownKeys(KEYS);
    String identity = r.string("identity_path", null);
    if (identity == null || identity.isBlank()) {
      throw new ConfigException("identity_path", "is required (a keyset from: kinmesh keygen --out FILE)");
    }
    String genesis = r.string("genesis_path", null);
    if (genesis == null || genesis.isBlank()) {
      throw new ConfigException("genesis_path", "is required (a genesis from: kinmesh genesis --spec FILE --out FILE)");
    }
    String chain = r.string("blockchain_id", null);
    if (chain != null && !WireRules.isBlockchainId(chain)) {
      throw new ConfigException("blockchain_id", "must be 1-64 characters of [A-Za-z0-9._-]");
    }
    String dataDir = r.string("data_dir", "data");
    HostPort api = HostPort.parse("api_listen", r.string("api_listen", "127.0.0.1:8080"));
    int udp = (int) r.longValue("gossip_udp_port", 7070, 0, 65_535);
    String relay = relayServerFlag != null ? relayServerFlag : r.string("relay_url", "http://localhost:5050");
    try {
      org.kinmesh.relay.client.RelayHttpClient.parseBase(relay);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("relay_url", e.getMessage());
    }
    List<Endpoint> advertise = new ArrayList<>();
    for (String e : r.stringList("advertise_endpoints")) {
      try {
        advertise.add(Endpoint.parse(e));
      } catch (org.kinmesh.wire.WireException ex) {
        throw new ConfigException("advertise_endpoints", "'" + e + "' is not ip:port or [ipv6]:port");
      }
    }
    if (advertise.size() > 6) {
      throw new ConfigException("advertise_endpoints", "at most 6 endpoints");
    }
    long block = r.longValue("block_interval_ms", 1000, 1, 3_600_000);
    long empty = r.longValue("empty_block_interval_ms", 5000, 1, 86_400_000);
    if (empty < block) {
      throw new ConfigException("empty_block_interval_ms", "must be at least block_interval_ms (" + block + ")");
    }
    Intervals intervals = intervals(r.nested("intervals"));
    QuorumPolicy quorum = quorum(r.nested("quorum"));
    boolean remote = r.bool("admin_allow_remote", false);
    PathPolicy policy;
    try {
      policy = PathPolicy.of(r.bool("force_relay", false), r.bool("direct_only", false));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("force_relay", e.getMessage());
    }
    String listenHost = r.string("listen_host", "0.0.0.0");
    if (!WireRules.isIp(listenHost) && !listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
      throw new ConfigException("listen_host", "must be an IP address (0.0.0.0: every interface), got '"
          + listenHost + "'");
    }
    List<org.kinmesh.stun.ServerSpec> stun = stunServers(r, json, env, listenHost);
    GossipConfig gossip = GossipConfig.read(r.nested("gossip"));
    int eventLoops = (int) r.longValue("event_loops", DEFAULT_EVENT_LOOPS, 1, 64);
    // A live link is silent for at most a heartbeat (3 s): three of them before the idle timeout may cut it.
    org.kinmesh.net.ServerLimits limits = org.kinmesh.net.ServerLimits.read(r, DEFAULT_SERVER_LIMITS,
        3 * org.kinmesh.node.link.PathSelector.HEARTBEAT_MS / 1000, "three of the links' heartbeats");
    List<String> allowedHosts = org.kinmesh.node.api.HostCheck.parseAllowed("api_allowed_hosts",
        r.stringList("api_allowed_hosts"));
    String namespace = r.string("bus_namespace", org.kinmesh.bus.BusScope.DEFAULT_NAMESPACE);
    String namespaceProblem = org.kinmesh.bus.BusScope.problem(namespace);
    if (namespaceProblem != null) {
      throw new ConfigException("bus_namespace", namespaceProblem);
    }
    return new NodeConfig(path("identity_path", identity, env, baseDir), chain,
        path("genesis_path", genesis, env, baseDir), path("data_dir", dataDir, env, baseDir), api, udp, relay,
        List.copyOf(advertise), block, empty, intervals, quorum, remote, policy, stun, gossip, listenHost, eventLoops,
        limits, allowedHosts, new org.kinmesh.bus.BusScope(namespace));
  }

  private static Path path(String key, String value, Map<String, String> env, Path baseDir) {
    Path p = Path.of(value);
    boolean fromEnv = env.containsKey(key.toUpperCase(java.util.Locale.ROOT));
    return baseDir == null || fromEnv || p.isAbsolute() ? p : baseDir.resolve(p);
  }

  /**
   * STUN servers (host[:port], docs/stun.md); [] turns STUN off. Unset, they are the design's
   * public servers, except for a node whose UDP socket listens on loopback (tests, the demo):
   * it could not reach them, so it uses none.
   */
  private static List<org.kinmesh.stun.ServerSpec> stunServers(ConfigReader r, JsonObject json, Map<String, String> env,
      String listenHost) throws ConfigException {
    boolean set = (json != null && json.containsKey("stun_servers")) || env.containsKey("STUN_SERVERS");
    String h = listenHost;
    boolean loopback = h.startsWith("127.") || h.equals("::1") || h.equals("localhost");
    List<String> names = set ? r.stringList("stun_servers")
        : loopback ? List.of() : org.kinmesh.stun.ServerSpec.PUBLIC_DEFAULTS;
    if (names.size() > 16) {
      throw new ConfigException("stun_servers", "at most 16 servers");
    }
    List<org.kinmesh.stun.ServerSpec> out = new ArrayList<>();
    for (String n : names) {
      try {
        out.add(org.kinmesh.stun.ServerSpec.parse(n));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("stun_servers", e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private static Intervals intervals(ConfigReader r) throws ConfigException {
    r.rejectUnknownKeys(Set.of("relay_register_secs", "peer_retry_max_secs", "lookup_cache_secs",
        "view_change_timeout_ms", "stun_refresh_secs", "network_poll_secs"));
    return new Intervals(
        r.longValue("relay_register_secs", 120, 1, 86_400),
        r.longValue("peer_retry_max_secs", 30, 1, 3_600),
        r.longValue("lookup_cache_secs", 420, 300, 600),
        r.longValue("view_change_timeout_ms", 10_000, 100, 600_000),
        r.longValue("stun_refresh_secs", 300, 10, 86_400),
        r.longValue("network_poll_secs", 10, 1, 3_600));
  }

  private static QuorumPolicy quorum(ConfigReader r) throws ConfigException {
    r.rejectUnknownKeys(Set.of("min_viable_nodes", "emergency_majority", "emergency_after_secs"));
    try {
      return new QuorumPolicy((int) r.longValue("min_viable_nodes", 1, 1, 1000), r.bool("emergency_majority", false),
          r.longValue("emergency_after_secs", 3600, 1, 30L * 86_400));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("quorum", e.getMessage());
    }
  }

  /** The SQLite file of the ledger. */
  public Path ledgerDb() {
    return dataDir.resolve("ledger.db");
  }

  /** The gossip peer cache: its own SQLite file, apart from the ledger (docs/gossip.md). */
  public Path peersDb() {
    return dataDir.resolve("peers.db");
  }

  /** Where a node asked for api_listen port 0 writes the port it got. */
  public Path apiPortFile() {
    return dataDir.resolve("api.port");
  }
}
