package org.kinmesh.gossip;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.ConfigReader;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * The node config's {@code gossip} object (docs/gossip.md lists every key). Times are in
 * milliseconds where tests and the benchmark run them fast, in seconds where the protocol
 * speaks seconds.
 */
public record GossipConfig(
    long announceIntervalMs, long announceJitterMs,
    long pullIntervalMs, long pullJitterMs, int fanout,
    int quickPulls, long quickPullWindowMs, long pullTimeoutMs,
    long freshnessSecs, long softTtlSecs, long hardTtlSecs, long preferFreshSecs,
    int maxPeers, int maxEntries, int maxDeltaDatagrams,
    int peerOpsPerSec, int sourceOpsPerSec,
    long persistIntervalMs, int cachePerPeer, int resyncEvery, boolean announcePush,
    List<Seed> seeds) {

  /** ARCHITECTURE.md limits: at most 100 peers, 6 endpoints each, 1,000 cached entries. */
  public static final int MAX_PEERS = 100;
  public static final int MAX_ENDPOINTS = 6;
  public static final int MAX_SEEDS = 16;

  static final Set<String> KEYS = Set.of("announce_interval_ms", "announce_jitter_ms", "pull_interval_ms",
      "pull_jitter_ms", "fanout", "quick_pulls", "quick_pull_window_ms", "pull_timeout_ms", "freshness_secs",
      "soft_ttl_secs", "hard_ttl_secs", "prefer_fresh_secs", "max_peers", "max_entries", "max_delta_datagrams",
      "peer_ops_per_sec", "source_ops_per_sec", "persist_interval_ms", "cache_per_peer", "resync_every",
      "announce_push", "seeds");

  /** A configured first contact: an endpoint, with the peer's key when the operator knows it. */
  public record Seed(String pubkey, Endpoint endpoint) {
    /** "ip:port", "[ipv6]:port" or "PUBKEYHEX@ip:port". */
    public static Seed parse(String text) throws WireException {
      int at = text.indexOf('@');
      if (at < 0) {
        return new Seed(null, Endpoint.parse(text));
      }
      String key = text.substring(0, at);
      if (!WireRules.isPublicKeyHex(key)) {
        throw WireException.malformed("seed key must be 64 lowercase hex characters");
      }
      return new Seed(key, Endpoint.parse(text.substring(at + 1)));
    }

    @Override
    public String toString() {
      return pubkey == null ? endpoint.toString() : pubkey + "@" + endpoint;
    }
  }

  public GossipConfig {
    seeds = List.copyOf(seeds);
  }

  public static GossipConfig defaults() {
    try {
      return fromJson(new JsonObject());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For tests and the benchmark: the defaults with some keys set. */
  public static GossipConfig fromJson(JsonObject json) throws ConfigException {
    return read(new ConfigReader(new JsonObject().put("gossip", json), Map.of(), "").nested("gossip"));
  }

  /** Reads the {@code gossip} object of the node config ({@code r} is already nested into it). */
  public static GossipConfig read(ConfigReader r) throws ConfigException {
    r.rejectUnknownKeys(KEYS);
    long announce = r.longValue("announce_interval_ms", 60_000, 10, 3_600_000);
    long announceJitter = r.longValue("announce_jitter_ms", 10_000, 0, 600_000);
    if (announceJitter >= announce) {
      throw new ConfigException("gossip.announce_jitter_ms", "must be less than announce_interval_ms");
    }
    long pull = r.longValue("pull_interval_ms", 15_000, 10, 3_600_000);
    long pullJitter = r.longValue("pull_jitter_ms", 1_500, 0, 600_000);
    if (pullJitter >= pull) {
      throw new ConfigException("gossip.pull_jitter_ms", "must be less than pull_interval_ms");
    }
    int fanout = (int) r.longValue("fanout", 3, 1, 16);
    int quick = (int) r.longValue("quick_pulls", 3, 0, 5);
    long quickWindow = r.longValue("quick_pull_window_ms", 15_000, 10, 600_000);
    long pullTimeout = r.longValue("pull_timeout_ms", 5_000, 10, 60_000);
    long fresh = r.longValue("freshness_secs", 300, 10, 3_600);
    long soft = r.longValue("soft_ttl_secs", 300, 10, 86_400);
    long hard = r.longValue("hard_ttl_secs", 600, 10, 86_400);
    if (hard < soft) {
      throw new ConfigException("gossip.hard_ttl_secs", "must be at least soft_ttl_secs (" + soft + ")");
    }
    long preferFresh = r.longValue("prefer_fresh_secs", 180, 1, 86_400);
    int maxPeers = (int) r.longValue("max_peers", MAX_PEERS, 1, MAX_PEERS);
    int maxEntries = (int) r.longValue("max_entries", 1_000, 1, 10_000);
    if (maxEntries < maxPeers) {
      throw new ConfigException("gossip.max_entries", "must be at least max_peers (" + maxPeers + ")");
    }
    int maxDelta = (int) r.longValue("max_delta_datagrams", 4, 1, 16);
    int peerOps = (int) r.longValue("peer_ops_per_sec", 100, 1, 100_000);
    int sourceOps = (int) r.longValue("source_ops_per_sec", 300, 1, 1_000_000);
    long persist = r.longValue("persist_interval_ms", 120_000, 100, 86_400_000);
    int cachePerPeer = (int) r.longValue("cache_per_peer", 3, 1, MAX_ENDPOINTS);
    int resync = (int) r.longValue("resync_every", 16, 0, 1_000_000);
    boolean push = r.bool("announce_push", true);
    List<Seed> seeds = new ArrayList<>();
    for (String s : r.stringList("seeds")) {
      try {
        seeds.add(Seed.parse(s));
      } catch (WireException e) {
        throw new ConfigException("gossip.seeds", "'" + s + "' is not ip:port, [ipv6]:port or KEY@ip:port");
      }
    }
    if (seeds.size() > MAX_SEEDS) {
      throw new ConfigException("gossip.seeds", "at most " + MAX_SEEDS + " seeds");
    }
    return new GossipConfig(announce, announceJitter, pull, pullJitter, fanout, quick, quickWindow, pullTimeout, fresh,
        soft, hard, preferFresh, maxPeers, maxEntries, maxDelta, peerOps, sourceOps, persist, cachePerPeer, resync, push,
        seeds);
  }
}
