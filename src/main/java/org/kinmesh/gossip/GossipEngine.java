package org.kinmesh.gossip;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.kinmesh.crypto.Identity;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Cookie;
import org.kinmesh.wire.gossip.Delta;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.NatType;
import org.kinmesh.wire.gossip.Pull;

/**
 * The gossip protocol of PROTOCOL.md §3 without I/O: what to do with each inbound datagram
 * (or {@code POST /gossip} body), what to send for a pull round and for our own announce.
 * Owns the {@link PeerTable}, the {@link AnnounceStore}, the rate limits, the replay memory
 * and the counters. Single-threaded (the Gossip verticle's event loop); clock and randomness
 * injected, so tests drive it directly.
 *
 * <p>Checks, first failure wins, each counted under its {@link DropReason}: size, source IP
 * rate, type, JSON shape; then for an announce: blockchain, freshness, own key, authorized,
 * newer version, signature, the signer's rate; for a pull: blockchain, freshness, authorized,
 * newer than the last pull of that key, signature, the puller's rate; for a delta: that we
 * pulled that address, blockchain, the responder we asked, authorized, the per-pull datagram
 * bound, the responder's rate, and then each announce inside as if pushed.
 *
 * <p>A UDP pull that passes every check is answered in full only when its source address is
 * verified ({@link PullCookies}); otherwise with one small cookie datagram, and the puller sends
 * the same signed pull again with the cookie (once per pull). The HTTP fallback is TCP: no cookie.
 */
public final class GossipEngine {
  static final int MAX_PENDING_PULLS = 64;
  static final int MAX_SOURCES = 4_096;

  /** A datagram to send; {@code toKey} is null for a seed whose key we do not know. */
  public record Outgoing(Endpoint to, String toKey, byte type, byte[] data) {}

  /**
   * What one inbound message did: the reason it was dropped (null when taken), datagrams to
   * send back, peers whose table entry changed, and pulls this datagram completed (by endpoint).
   */
  public record Result(String kind, DropReason drop, List<Outgoing> replies, List<String> updated,
      List<String> completed) {}

  /** The answer to a {@code POST /gossip}: status and JSON body. */
  public record HttpAnswer(int status, String body) {}

  private static final class PullerState {
    long watermark;
    long lastTs;
    long pulls;
  }

  /** An outstanding pull: who we expect, and the pull itself (to send again, once, with a cookie). */
  private record Pending(String expectedKey, String stateKey, long sentMs, int[] received, Pull pull,
      boolean[] cookieUsed) {}

  private final String chain;
  private final GossipConfig cfg;
  private final Identity identity;
  private final String self;
  private final TimeSource clock;
  private final Random random;
  private final PeerTable table;
  private final AnnounceStore store;
  private final GossipCounters counters = new GossipCounters();
  private final RateLimits sourceLimits;
  private final RateLimits peerLimits;
  /** Responder side: the last accepted pull timestamp of each puller key. */
  private final Map<String, Long> lastPullTs;
  /** Puller side: watermark, last timestamp and pull count per responder (key, or "@endpoint" for a keyless seed). */
  private final Map<String, PullerState> pullers;
  /** Puller side: the last pull timestamp sent to each endpoint. */
  private final Map<String, Long> lastPullTsTo;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  /** Responder side: return-routability cookies of UDP pull sources. */
  private final PullCookies cookies;
  /** Puller side: the last cookie each responder endpoint gave us. */
  private final Map<String, String> cookieJar;
  private final List<Endpoint> keylessSeeds = new ArrayList<>();
  private final OwnVersion ownVer;
  private Set<String> authorized;
  private List<Endpoint> ownEndpoints = List.of();
  private NatType ownNat = NatType.UNKNOWN;
  private boolean reannounce;

  public GossipEngine(String chain, GossipConfig cfg, Identity identity, TimeSource clock, Random random) {
    this(chain, cfg, identity, clock, random, PullCookies.secureSecrets());
  }

  /** With the cookie secrets injected (tests that need known cookies). */
  public GossipEngine(String chain, GossipConfig cfg, Identity identity, TimeSource clock, Random random,
      Supplier<byte[]> cookieSecrets) {
    this.chain = chain;
    this.cfg = cfg;
    this.identity = identity;
    this.self = identity.publicKeyHex();
    this.clock = clock;
    this.random = random;
    this.table = new PeerTable(self, cfg.maxPeers(), cfg.preferFreshSecs() * 1000, cfg.hardTtlSecs() * 1000, clock);
    this.store = new AnnounceStore(cfg.maxEntries(), self);
    this.sourceLimits = new RateLimits(cfg.sourceOpsPerSec(), cfg.sourceOpsPerSec(), MAX_SOURCES, clock);
    this.peerLimits = new RateLimits(cfg.peerOpsPerSec(), cfg.peerOpsPerSec(), cfg.maxEntries(), clock);
    this.lastPullTs = lru(cfg.maxEntries());
    this.pullers = lru(cfg.maxEntries());
    this.lastPullTsTo = lru(cfg.maxEntries());
    this.cookies = new PullCookies(clock, cookieSecrets);
    this.cookieJar = lru(cfg.maxEntries());
    this.ownVer = new OwnVersion(0);
    for (GossipConfig.Seed s : cfg.seeds()) {
      if (s.pubkey() == null) {
        keylessSeeds.add(s.endpoint());
      } else if (!s.pubkey().equals(self)) {
        table.addEndpoint(s.pubkey(), s.endpoint(), Source.LOCAL, EndpointScore.initial(Source.LOCAL, 0),
            clock.nowMillis(), NatType.UNKNOWN, -1);
      }
    }
  }

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }

  // ---- state from the rest of the node ----

  /** The authorized consensus keys (from the ledger); peers outside it are forgotten at once. */
  public List<String> authorize(Set<String> keys) {
    authorized = Set.copyOf(keys);
    store.retain(authorized);
    return table.retainAuthorized(authorized);
  }

  public boolean ready() {
    return authorized != null;
  }

  public boolean isAuthorized(String key) {
    return authorized != null && authorized.contains(key);
  }

  /** Rows of the persistent cache, before gossip starts: endpoints to try, and versions not to go below. */
  public void loadCache(List<CachedEndpoint> rows) {
    for (CachedEndpoint r : rows) {
      if (!r.pubkey().equals(self)) {
        table.addEndpoint(r.pubkey(), r.endpoint(), Source.CACHE, Math.min(r.score(), EndpointScore.CACHE_CAP),
            r.lastSeenSecs() * 1000, r.nat(), r.version());
        // Also for keys the table does not keep: the version rule holds for every key we heard of.
        store.remember(r.pubkey(), r.version());
      }
    }
    counters.add("cache_loaded", rows.size());
  }

  /** The version the previous life persisted. */
  public void restoreOwnVer(long persisted) {
    ownVer.observed(persisted);
  }

  public long ownVer() {
    return ownVer.last();
  }

  /** The highest version we hold for the key (table, store or cache), -1 when none. */
  public long knownVer(String key) {
    return key.equals(self) ? ownVer.last() : Math.max(store.ver(key), table.ver(key));
  }

  public List<Endpoint> ownEndpoints() {
    return ownEndpoints;
  }

  public NatType ownNat() {
    return ownNat;
  }

  /** Sets what we announce; true when it changed (then announce at once). */
  public boolean setOwn(List<Endpoint> endpoints, NatType nat) {
    List<Endpoint> eps = List.copyOf(endpoints.subList(0, Math.min(endpoints.size(), GossipConfig.MAX_ENDPOINTS)));
    boolean changed = !eps.equals(ownEndpoints) || nat != ownNat;
    ownEndpoints = eps;
    ownNat = nat;
    return changed;
  }

  /** True once after an earlier life's announce of ours came back with a version we had not passed. */
  public boolean takeReannounce() {
    boolean r = reannounce;
    reannounce = false;
    return r;
  }

  /** Signs our next announce (next version, stored for deltas); null while we have no endpoint. */
  public Announce announceSelf() {
    if (ownEndpoints.isEmpty()) {
      return null;
    }
    Announce a = Announce.sign(identity, chain, ownEndpoints, ownNat, clock.nowSeconds(),
        ownVer.next(clock.nowMillis()));
    store.put(a);
    counters.increment("announces_signed");
    return a;
  }

  /** Where our announce goes: every kept peer's best endpoint and every keyless seed (none with announce_push off). */
  public List<Outgoing> announceTargets(Announce a) {
    List<Outgoing> out = new ArrayList<>();
    if (!cfg.announcePush()) {
      return out;
    }
    byte[] data = encode(GossipDatagram.TYPE_ANNOUNCE, a.toJson());
    Set<Endpoint> seen = new HashSet<>(ownEndpoints);
    for (PeerTable.Target t : table.allTargets()) {
      if (seen.add(t.endpoint())) {
        out.add(new Outgoing(t.endpoint(), t.pubkey(), GossipDatagram.TYPE_ANNOUNCE, data));
      }
    }
    for (Endpoint e : keylessSeeds) {
      if (seen.add(e)) {
        out.add(new Outgoing(e, null, GossipDatagram.TYPE_ANNOUNCE, data));
      }
    }
    counters.add("announces_sent", out.size());
    return out;
  }

  // ---- pull rounds ----

  /** One pull round: {@code fanout} random kept peers, and the keyless seeds while fewer peers are known. */
  public List<Outgoing> pullRound() {
    List<Outgoing> out = new ArrayList<>();
    if (!ready()) {
      return out;
    }
    Set<Endpoint> seen = new HashSet<>(ownEndpoints);
    List<PeerTable.Target> targets = table.pickTargets(cfg.fanout(), random);
    for (PeerTable.Target t : targets) {
      if (seen.add(t.endpoint())) {
        out.add(pullTo(t.endpoint(), t.pubkey()));
      }
    }
    if (targets.size() < cfg.fanout()) {
      for (Endpoint e : keylessSeeds) {
        if (seen.add(e)) {
          out.add(pullTo(e, null));
        }
      }
    }
    return out;
  }

  private Outgoing pullTo(Endpoint to, String key) {
    String stateKey = key != null ? key : "@" + to;
    PullerState st = pullers.computeIfAbsent(stateKey, k -> new PullerState());
    st.pulls++;
    boolean resync = cfg.resyncEvery() > 0 && st.pulls % cfg.resyncEvery() == 0;
    long since = resync ? 0 : st.watermark;
    // Strictly increasing per responder, so the responder's replay rule never refuses a genuine pull; kept per
    // key and per endpoint, because a keyless seed and a key we learned later can be the same responder.
    Long lastAtEndpoint = lastPullTsTo.get(to.toString());
    long ts = Math.max(clock.nowSeconds(), Math.max(st.lastTs, lastAtEndpoint == null ? 0 : lastAtEndpoint) + 1);
    st.lastTs = ts;
    lastPullTsTo.put(to.toString(), ts);
    Pull p = Pull.sign(identity, chain, since, ts);
    if (pending.size() >= MAX_PENDING_PULLS) {
      Iterator<String> it = pending.keySet().iterator();
      it.next();
      it.remove();
      counters.increment("pulls_timed_out");
    }
    pending.remove(to.toString());
    pending.put(to.toString(), new Pending(key, stateKey, clock.nowMillis(), new int[1], p, new boolean[1]));
    counters.increment("pulls_sent");
    return pullDatagram(to, key, p);
  }

  /** The pull, with the last cookie this endpoint gave us (if any). */
  private Outgoing pullDatagram(Endpoint to, String key, Pull p) {
    JsonObject json = Cookie.attach(p.toJson(), cookieJar.get(to.toString()));
    return new Outgoing(to, key, GossipDatagram.TYPE_PULL, encode(GossipDatagram.TYPE_PULL, json));
  }

  /** Pulls older than pull_timeout_ms are given up; returns their endpoints. */
  public List<String> expirePulls() {
    long cutoff = clock.nowMillis() - cfg.pullTimeoutMs();
    List<String> gone = new ArrayList<>();
    pending.entrySet().removeIf(e -> {
      if (e.getValue().sentMs() <= cutoff) {
        gone.add(e.getKey());
        return true;
      }
      return false;
    });
    counters.add("pulls_timed_out", gone.size());
    return gone;
  }

  public boolean pulling(String endpoint) {
    return pending.containsKey(endpoint);
  }

  /** Hard TTL sweep of the table; returns peers that went away. */
  public List<String> expire() {
    return table.expire();
  }

  // ---- inbound ----

  /** A datagram from {@code ip:port} (UdpTransport has already bounded it to 1,500 bytes). */
  public Result onDatagram(String ip, int port, byte[] data) {
    Collector c = new Collector();
    counters.add("bytes_received", data.length);
    if (data.length > GossipDatagram.MAX_GOSSIP_BYTES) {
      return c.drop("unknown", DropReason.TOO_LARGE);
    }
    if (!sourceLimits.allow(ip)) {
      return c.drop("unknown", DropReason.RATE_LIMITED_SOURCE);
    }
    if (!GossipDatagram.isKinmesh(data)) {
      return c.drop("unknown", DropReason.UNSUPPORTED_TYPE);
    }
    byte type = data[2];
    try {
      switch (type) {
        case GossipDatagram.TYPE_ANNOUNCE -> {
          c.kind = "announce";
          announce(Announce.parse(GossipDatagram.body(data, type)), true, c);
        }
        case GossipDatagram.TYPE_PULL -> {
          c.kind = "pull";
          StrictJson json = GossipDatagram.body(data, type);
          Pull p = Pull.parse(json);
          String cookie = Cookie.echoed(json);
          Endpoint to = new Endpoint(ip, port);
          if (!acceptPull(p, c)) {
            break;
          }
          if (!cookies.admit(to, cookie)) {
            // Not yet shown to receive our datagrams (its address may be spoofed): a cookie, smaller than the pull.
            counters.increment("cookies_sent");
            if (cookie != null) {
              counters.increment("pull_cookies_refused"); // expired (over 4 minutes) or not for this address
            }
            c.replies.add(new Outgoing(to, p.from(), GossipDatagram.TYPE_COOKIE, encode(GossipDatagram.TYPE_COOKIE,
                new Cookie(Cookie.forPull(p), cookies.issue(to)).toJson())));
            break;
          }
          for (byte[] d : answer(p).datagrams()) {
            c.replies.add(new Outgoing(to, p.from(), GossipDatagram.TYPE_DELTA, d));
          }
        }
        case GossipDatagram.TYPE_COOKIE -> {
          c.kind = "cookie";
          cookie(Cookie.parse(GossipDatagram.body(data, type)), new Endpoint(ip, port), c);
        }
        case GossipDatagram.TYPE_DELTA -> {
          c.kind = "delta";
          delta(Delta.parse(GossipDatagram.body(data, type)), new Endpoint(ip, port).toString(), c);
        }
        default -> c.drop("unknown", DropReason.UNSUPPORTED_TYPE);
      }
    } catch (WireException e) {
      c.drop(c.kind, DropReason.MALFORMED);
    } catch (IllegalArgumentException e) {
      c.drop(c.kind, DropReason.MALFORMED); // a source address that is no endpoint (cannot happen from a socket)
    }
    return c.result();
  }

  /**
   * The HTTP fallback: the body is a gossip datagram (0x4B 0x01 type JSON) or the bare JSON of
   * an announce or a pull. A pull is answered with its deltas in the body; an announce with
   * {"status": "accepted"}; anything dropped with the drop's status and error code.
   */
  public HttpAnswer onHttp(String ip, byte[] body) {
    Collector c = new Collector();
    counters.add("http_bytes_received", body.length);
    if (body.length > GossipDatagram.MAX_GOSSIP_BYTES) {
      return error(c.drop("unknown", DropReason.TOO_LARGE).drop(), "body over " + GossipDatagram.MAX_GOSSIP_BYTES
          + " bytes");
    }
    if (!sourceLimits.allow(ip)) {
      return error(c.drop("unknown", DropReason.RATE_LIMITED_SOURCE).drop(), "too many gossip requests");
    }
    try {
      StrictJson json;
      byte type;
      if (GossipDatagram.isKinmesh(body)) {
        type = body[2];
        json = GossipDatagram.body(body, type);
      } else {
        json = StrictJson.parse(body, GossipDatagram.MAX_GOSSIP_BYTES);
        String t = json.requireString("type");
        type = switch (t) {
          case "announce" -> GossipDatagram.TYPE_ANNOUNCE;
          case "pull" -> GossipDatagram.TYPE_PULL;
          default -> 0;
        };
      }
      if (type == GossipDatagram.TYPE_ANNOUNCE) {
        c.kind = "announce";
        announce(Announce.parse(json), true, c);
        return c.drop == null ? new HttpAnswer(200, new JsonObject().put("status", "accepted").encode())
            : error(c.drop, "announce not accepted");
      }
      if (type == GossipDatagram.TYPE_PULL) {
        c.kind = "pull";
        DeltaBuilder.Answer answer = pull(Pull.parse(json), c);
        if (answer == null) {
          return error(c.drop, "pull not answered");
        }
        counters.increment("http_pulls_answered");
        return new HttpAnswer(200, "{\"deltas\":[" + String.join(",", answer.bodies()) + "]}");
      }
      c.drop("unknown", DropReason.UNSUPPORTED_TYPE);
      return error(DropReason.UNSUPPORTED_TYPE, "POST /gossip takes an announce or a pull");
    } catch (WireException e) {
      c.drop(c.kind, DropReason.MALFORMED);
      return error(DropReason.MALFORMED, e.getMessage());
    }
  }

  private static HttpAnswer error(DropReason r, String message) {
    return new HttpAnswer(r.httpStatus(), new JsonObject().put("error", r.httpCode()).put("reason", r.code())
        .put("message", message).encode());
  }

  /** The checks of PROTOCOL.md §3.1 for one announce, pushed or inside a delta. */
  private void announce(Announce a, boolean pushed, Collector c) {
    DropReason r = checkAnnounce(a, pushed);
    if (r != null) {
      c.drop(pushed ? "announce" : "delta_announce", r);
      return;
    }
    store.put(a);
    counters.increment(pushed ? "announces_accepted" : "delta_announces_accepted");
    if (table.applyAnnounce(a)) {
      c.updated.add(a.pubkey());
    } else {
      counters.increment("announces_not_kept");
    }
  }

  private DropReason checkAnnounce(Announce a, boolean pushed) {
    if (!ready()) {
      return DropReason.NOT_READY;
    }
    if (!a.blockchainId().equals(chain)) {
      return DropReason.WRONG_BLOCKCHAIN;
    }
    if (!fresh(a.ts())) {
      return DropReason.STALE;
    }
    if (a.pubkey().equals(self)) {
      // Ours, from an earlier life: jump past its version (it is signed by our key, so it is real).
      if (a.ver() >= ownVer.last() && a.signatureValid()) {
        ownVer.observed(a.ver());
        reannounce = true;
      }
      return DropReason.SELF;
    }
    if (!authorized.contains(a.pubkey())) {
      return DropReason.UNAUTHORIZED;
    }
    long known = knownVer(a.pubkey());
    if (a.ver() <= known) {
      return a.ver() == known ? DropReason.DUPLICATE : DropReason.OUTDATED;
    }
    if (!a.signatureValid()) {
      return DropReason.INVALID_SIGNATURE;
    }
    if (pushed && !peerLimits.allow(a.pubkey())) {
      return DropReason.RATE_LIMITED_PEER;
    }
    return null;
  }

  /** The checks of PROTOCOL.md §3.2, then the answer; null when dropped (the reason is in the collector). */
  private DeltaBuilder.Answer pull(Pull p, Collector c) {
    return acceptPull(p, c) ? answer(p) : null;
  }

  private boolean acceptPull(Pull p, Collector c) {
    DropReason r = checkPull(p);
    if (r != null) {
      c.drop("pull", r);
      return false;
    }
    return true;
  }

  /** The delta answer to an accepted pull; only now is its timestamp spent (a cookie answer does not spend it). */
  private DeltaBuilder.Answer answer(Pull p) {
    lastPullTs.put(p.from(), p.ts());
    long since = p.since() > store.counter() ? 0 : p.since(); // beyond our counter: we restarted; start over
    long minTs = clock.nowSeconds() - cfg.softTtlSecs();
    DeltaBuilder.Answer answer = DeltaBuilder.build(chain, self, store.after(since), store.counter(),
        s -> s.json() != null && s.ts() >= minTs && !s.pubkey().equals(p.from()), cfg.maxDeltaDatagrams(),
        GossipDatagram.MAX_GOSSIP_BYTES);
    counters.increment("pulls_answered");
    counters.add("delta_datagrams_sent", answer.datagrams().size());
    counters.add("delta_announces_sent", answer.announces());
    if (answer.truncated()) {
      counters.increment("deltas_truncated");
    }
    return answer;
  }

  private DropReason checkPull(Pull p) {
    if (!ready()) {
      return DropReason.NOT_READY;
    }
    if (!p.blockchainId().equals(chain)) {
      return DropReason.WRONG_BLOCKCHAIN;
    }
    if (!fresh(p.ts())) {
      return DropReason.STALE;
    }
    if (p.from().equals(self)) {
      return DropReason.SELF;
    }
    if (!authorized.contains(p.from())) {
      return DropReason.UNAUTHORIZED;
    }
    Long last = lastPullTs.get(p.from());
    if (last != null && p.ts() <= last) {
      return DropReason.REPLAYED;
    }
    if (!p.signatureValid()) {
      return DropReason.INVALID_SIGNATURE;
    }
    if (!peerLimits.allow(p.from())) {
      return DropReason.RATE_LIMITED_PEER;
    }
    return null;
  }

  /** A delta answers one of our pulls: only from the address we pulled, at most max_delta_datagrams of them. */
  private void delta(Delta d, String source, Collector c) {
    Pending p = pending.get(source);
    if (p == null) {
      c.drop("delta", DropReason.UNSOLICITED);
      return;
    }
    if (!d.blockchainId().equals(chain)) {
      c.drop("delta", DropReason.WRONG_BLOCKCHAIN);
      return;
    }
    if (p.expectedKey() != null && !p.expectedKey().equals(d.from())) {
      c.drop("delta", DropReason.UNSOLICITED);
      return;
    }
    if (!authorized.contains(d.from())) {
      c.drop("delta", DropReason.UNAUTHORIZED);
      return;
    }
    if (++p.received()[0] > cfg.maxDeltaDatagrams()) {
      pending.remove(source);
      c.drop("delta", DropReason.DELTA_OVER_LIMIT);
      return;
    }
    if (!peerLimits.allow(d.from())) {
      c.drop("delta", DropReason.RATE_LIMITED_PEER);
      return;
    }
    counters.increment("deltas_received");
    for (Announce a : d.announces()) {
      announce(a, false, c);
    }
    // The datagram itself was taken even when announces inside were not.
    c.drop = null;
    if (!d.more()) {
      pending.remove(source);
      PullerState st = pullers.computeIfAbsent(p.stateKey(), k -> new PullerState());
      st.watermark = d.watermark();
      c.completed.add(source);
      counters.increment("pulls_completed");
    }
  }

  /**
   * A cookie reply: taken only from the address of an outstanding pull whose signature it names,
   * and only once per pull; then the same signed pull goes again with the cookie. So a forged
   * cookie reply makes us send at most one extra pull per pull we sent.
   */
  private void cookie(Cookie k, Endpoint source, Collector c) {
    Pending p = pending.get(source.toString());
    if (p == null || p.cookieUsed()[0] || !Cookie.forPull(p.pull()).equals(k.forSig())) {
      c.drop("cookie", DropReason.UNSOLICITED);
      return;
    }
    p.cookieUsed()[0] = true;
    cookieJar.put(source.toString(), k.cookie());
    counters.increment("cookies_received");
    c.replies.add(pullDatagram(source, p.expectedKey(), p.pull()));
  }

  private boolean fresh(long ts) {
    return Math.abs(ts - clock.nowSeconds()) <= cfg.freshnessSecs();
  }

  // ---- the links ----

  /** A path outcome the links report (promote on success, decay and rotate on failure). */
  public boolean report(String key, Endpoint endpoint, boolean ok, Source sourceIfNew) {
    if (!isAuthorized(key)) {
      return false;
    }
    return table.report(key, endpoint, ok, sourceIfNew);
  }

  // ---- views ----

  public PeerTable table() {
    return table;
  }

  public AnnounceStore store() {
    return store;
  }

  public PullCookies cookies() {
    return cookies;
  }

  public GossipCounters counters() {
    return counters;
  }

  public String self() {
    return self;
  }

  public String chain() {
    return chain;
  }

  static byte[] encode(byte type, JsonObject json) {
    return GossipDatagram.encode(type, json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Gathers one message's outcome. */
  private final class Collector {
    String kind = "unknown";
    DropReason drop;
    final List<Outgoing> replies = new ArrayList<>();
    final List<String> updated = new ArrayList<>();
    final List<String> completed = new ArrayList<>();

    Result drop(String what, DropReason r) {
      counters.drop(r);
      counters.increment("dropped_" + what);
      drop = r;
      return result();
    }

    Result result() {
      if (drop == null) {
        counters.increment("taken_" + kind);
      }
      return new Result(kind, drop, replies, updated, completed);
    }
  }
}
