package org.kinmesh.relay;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;
import org.kinmesh.config.HostPort;
import org.kinmesh.wire.WireRules;

/**
 * The relay's configuration (docs/relay.md lists every key). Every scalar or list key can be
 * overridden by an environment variable named RELAY_ plus the key in upper case:
 * RELAY_LISTEN_ADDR, RELAY_DB_PATH, RELAY_TTL_SECS, RELAY_RATE_LIMIT_PER_MIN, ...; tls by
 * RELAY_TLS_CERT_PATH and RELAY_TLS_KEY_PATH; bootstrap only in the file.
 */
public record RelayConfig(
    HostPort listen,
    Path dbPath,
    long ttlSecs,
    long tokenTtlSecs,
    Set<String> adminPubkeys,
    boolean openRegistration,
    int rateLimitPerMin,
    long freshnessSecs,
    TrustedProxies trustedProxies,
    Tls tls,
    List<BootstrapEntry> bootstrap,
    long sweepIntervalSecs,
    int httpInstances,
    long shutdownGraceSecs,
    org.kinmesh.relay.forward.ForwardSettings relayed,
    org.kinmesh.relay.stun.RelayStunConfig stun,
    org.kinmesh.net.ServerLimits limits) {

  public static final String ENV_PREFIX = "RELAY_";
  private static final Set<String> KEYS = union(Set.of("listen_addr", "db_path", "ttl_secs", "token_ttl_secs",
      "admin_pubkeys", "open_registration", "rate_limit_per_min", "freshness_secs", "trusted_proxies", "tls",
      "bootstrap", "sweep_interval_secs", "http_instances", "shutdown_grace_secs",
      "stun_listen", "stun_alternate", "stun_rate_limit_per_min", "stun_threads"),
      union(org.kinmesh.relay.forward.ForwardSettings.CONFIG_KEYS, org.kinmesh.net.ServerLimits.CONFIG_KEYS));

  /**
   * Connection limits (docs/security.md). 256 a source: a household or an office behind one NAT
   * address, and every node of the tests on 127.0.0.1, fit well below it.
   */
  public static final org.kinmesh.net.ServerLimits DEFAULT_LIMITS = new org.kinmesh.net.ServerLimits(10_000, 60_000,
      256);

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  /** TLS files; both set, or TLS is off. */
  public record Tls(Path certPath, Path keyPath) {}

  /**
   * A trusted genesis snapshot: the blockchain and its authorized keys exist from start-up.
   * Given inline, or read from a genesis file (kinmesh genesis): its id, hash and every node key
   * it registers, with the first guardian (by key) as admin unless admin_pubkey says otherwise.
   */
  public record BootstrapEntry(String blockchainId, String genesisHash, String adminPubkey, List<String> authorizedPubkeys) {}

  public static RelayConfig defaults() {
    try {
      return fromJson(new JsonObject(), Map.of());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  public static RelayConfig fromJson(JsonObject json, Map<String, String> env) throws ConfigException {
    return fromJson(json, env, null);
  }

  /**
   * As above; {@code baseDir} (the config file's directory, or null for the working directory)
   * anchors a relative db_path given in the file. One from the environment stays the working directory's.
   */
  public static RelayConfig fromJson(JsonObject json, Map<String, String> env, Path baseDir) throws ConfigException {
    ConfigReader r = new ConfigReader(json, env, ENV_PREFIX);
    r.rejectUnknownKeys(KEYS);
    HostPort listen = HostPort.parse("listen_addr", r.string("listen_addr", "0.0.0.0:5050"));
    String db = r.string("db_path", "relay.db");
    if (db.isBlank()) {
      throw new ConfigException("db_path", "must not be empty");
    }
    long ttl = r.longValue("ttl_secs", 300, 10, 86_400);
    long tokenTtl = r.longValue("token_ttl_secs", ttl, 10, 86_400);
    Set<String> admins = new HashSet<>();
    for (String k : r.stringList("admin_pubkeys")) {
      if (!WireRules.isPublicKeyHex(k)) {
        throw new ConfigException("admin_pubkeys", "'" + k + "' is not a 64-character lowercase hex public key");
      }
      admins.add(k);
    }
    boolean open = r.bool("open_registration", false);
    int rate = (int) r.longValue("rate_limit_per_min", 100, 1, 10_000_000);
    long fresh = r.longValue("freshness_secs", 300, 1, 86_400);
    TrustedProxies proxies = TrustedProxies.parse("trusted_proxies", r.stringList("trusted_proxies"));
    rejectStructuredEnv(env, "TLS", "tls");
    rejectStructuredEnv(env, "BOOTSTRAP", "bootstrap");
    Tls tls = parseTls(r.object("tls"), env);
    List<BootstrapEntry> bootstrap = parseBootstrap(r);
    long sweep = r.longValue("sweep_interval_secs", Math.max(1, Math.min(60, ttl / 5)), 1, 3_600);
    int instances = (int) r.longValue("http_instances", Runtime.getRuntime().availableProcessors(), 1, 64);
    long grace = r.longValue("shutdown_grace_secs", 10, 0, 600);
    org.kinmesh.relay.forward.ForwardSettings relayed = org.kinmesh.relay.forward.ForwardSettings.read(r);
    var stun = org.kinmesh.relay.stun.RelayStunConfig.parse(json, env, ENV_PREFIX, listen);
    // The relay pings each relayed connection every relayed_ping_secs; the idle timeout must not beat it.
    var limits = org.kinmesh.net.ServerLimits.read(r, DEFAULT_LIMITS, 2 * relayed.pingIntervalMillis() / 1000,
        "twice relayed_ping_secs");
    Path dbPath = Path.of(db);
    if (baseDir != null && !dbPath.isAbsolute() && !env.containsKey(ENV_PREFIX + "DB_PATH")) {
      dbPath = baseDir.resolve(dbPath);
    }
    return new RelayConfig(listen, dbPath, ttl, tokenTtl, Set.copyOf(admins), open, rate, fresh, proxies, tls,
        bootstrap, sweep, instances, grace, relayed, stun, limits);
  }

  /** Structured keys have no single environment value; say so instead of ignoring the variable. */
  private static void rejectStructuredEnv(Map<String, String> env, String suffix, String key) throws ConfigException {
    if (env.containsKey(ENV_PREFIX + suffix)) {
      throw new ConfigException(key, "cannot be set by " + ENV_PREFIX + suffix + "; set it in the config file"
          + ("tls".equals(key) ? " or with RELAY_TLS_CERT_PATH and RELAY_TLS_KEY_PATH" : ""));
    }
  }

  private static Tls parseTls(JsonObject tls, Map<String, String> env) throws ConfigException {
    Object cert = env.containsKey("RELAY_TLS_CERT_PATH") ? env.get("RELAY_TLS_CERT_PATH")
        : tls == null ? null : tls.getValue("cert_path");
    Object key = env.containsKey("RELAY_TLS_KEY_PATH") ? env.get("RELAY_TLS_KEY_PATH")
        : tls == null ? null : tls.getValue("key_path");
    if (cert == null && key == null) {
      return null;
    }
    if (!(cert instanceof String c) || c.isBlank() || !(key instanceof String k) || k.isBlank()) {
      throw new ConfigException("tls", "needs both 'cert_path' and 'key_path' (PEM files)");
    }
    requireReadable("tls.cert_path", Path.of(c));
    requireReadable("tls.key_path", Path.of(k));
    return new Tls(Path.of(c), Path.of(k));
  }

  private static void requireReadable(String key, Path file) throws ConfigException {
    if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
      throw new ConfigException(key, "cannot read " + file);
    }
  }

  private static List<BootstrapEntry> parseBootstrap(ConfigReader r) throws ConfigException {
    List<BootstrapEntry> out = new ArrayList<>();
    int i = 0;
    for (Object item : r.array("bootstrap")) {
      String where = "bootstrap[" + i++ + "]";
      if (item instanceof String path) {
        out.add(GenesisBootstrap.read(where, Path.of(path), null));
        continue;
      }
      if (!(item instanceof JsonObject o)) {
        throw new ConfigException(where, "must be a genesis file path or an object");
      }
      if (o.containsKey("genesis_path")) {
        String admin = o.getValue("admin_pubkey") instanceof String s ? s : null;
        if (admin != null && !WireRules.isPublicKeyHex(admin)) {
          throw new ConfigException(where + ".admin_pubkey", "must be a 64-character lowercase hex public key");
        }
        if (!(o.getValue("genesis_path") instanceof String path)) {
          throw new ConfigException(where + ".genesis_path", "must be a file path");
        }
        out.add(GenesisBootstrap.read(where, Path.of(path), admin));
        continue;
      }
      String id = o.getValue("blockchain_id") instanceof String s ? s : null;
      if (!WireRules.isBlockchainId(id)) {
        throw new ConfigException(where + ".blockchain_id", "must be 1-64 characters of [A-Za-z0-9._-]");
      }
      String genesis = o.getValue("genesis_hash") instanceof String s ? s : null;
      if (!WireRules.isSha256Hex(genesis)) {
        throw new ConfigException(where + ".genesis_hash", "must be 64 lowercase hex characters");
      }
      String admin = o.getValue("admin_pubkey") instanceof String s ? s : null;
      if (!WireRules.isPublicKeyHex(admin)) {
        throw new ConfigException(where + ".admin_pubkey", "must be a 64-character lowercase hex public key");
      }
      List<String> keys = new ArrayList<>();
      Object list = o.getValue("authorized_pubkeys");
      if (list != null) {
        if (!(list instanceof io.vertx.core.json.JsonArray arr)) {
          throw new ConfigException(where + ".authorized_pubkeys", "must be a list of public keys");
        }
        for (Object k : arr) {
          if (!(k instanceof String ks) || !WireRules.isPublicKeyHex(ks)) {
            throw new ConfigException(where + ".authorized_pubkeys", "'" + k + "' is not a lowercase hex public key");
          }
          keys.add(ks);
        }
      }
      out.add(new BootstrapEntry(id, genesis, admin, List.copyOf(keys)));
    }
    return List.copyOf(out);
  }
}
