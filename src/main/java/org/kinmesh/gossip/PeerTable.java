package org.kinmesh.gossip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/**
 * The scored endpoints of at most {@code maxPeers} authorized peers, each with at most six
 * endpoints (pure: no I/O, clock injected; owned by the Gossip verticle's event loop).
 *
 * <p>Which peers it keeps when more are authorized than it may hold: the ones with the lowest
 * rendezvous weight SHA-256(own key ‖ peer key). The choice is stable (news about a kept
 * peer never evicts another), differs from node to node so that every peer is kept by about
 * maxPeers / N of the others, and makes the pull overlay a random graph (docs/gossip.md). The
 * announces of the peers it does not keep still pass through the node: they live in the
 * {@link AnnounceStore}, which is what deltas are made of.
 */
public final class PeerTable {
  /** A peer to contact and the endpoint to use. */
  public record Target(String pubkey, Endpoint endpoint) {}

  private final String self;
  private final int maxPeers;
  private final long preferFreshMs;
  private final long hardTtlMs;
  private final TimeSource clock;
  private final Map<String, PeerEntry> peers = new HashMap<>();

  public PeerTable(String self, int maxPeers, long preferFreshMs, long hardTtlMs, TimeSource clock) {
    this.self = self;
    this.maxPeers = maxPeers;
    this.preferFreshMs = preferFreshMs;
    this.hardTtlMs = hardTtlMs;
    this.clock = clock;
  }

  public int size() {
    return peers.size();
  }

  public int endpointCount() {
    int n = 0;
    for (PeerEntry p : peers.values()) {
      n += p.endpoints.size();
    }
    return n;
  }

  public boolean contains(String key) {
    return peers.containsKey(key);
  }

  /** Highest version known for a kept peer, -1 when none. */
  public long ver(String key) {
    PeerEntry p = peers.get(key);
    return p == null ? -1 : p.ver;
  }

  /** Forgets every peer that is no longer authorized. Returns the keys dropped. */
  public List<String> retainAuthorized(Set<String> authorized) {
    List<String> dropped = new ArrayList<>();
    peers.keySet().removeIf(k -> {
      if (!authorized.contains(k)) {
        dropped.add(k);
        return true;
      }
      return false;
    });
    return dropped;
  }

  /**
   * Applies an announce the engine has accepted (authorized, signed, fresh, newer): its
   * endpoints become the peer's gossip endpoints; endpoints it no longer lists lose the gossip
   * source and go when nothing else vouches for them. Returns false when the peer is not kept.
   */
  public boolean applyAnnounce(Announce a) {
    PeerEntry p = admit(a.pubkey());
    if (p == null) {
      return false;
    }
    long now = clock.nowMillis();
    if (a.ver() > p.ver) {
      p.ver = a.ver();
      p.nat = a.nat();
    }
    p.lastUpdateMs = now;
    List<EndpointEntry> listed = new ArrayList<>(a.endpoints().size());
    for (int i = 0; i < a.endpoints().size(); i++) {
      Endpoint ep = a.endpoints().get(i);
      EndpointEntry e = find(p, ep);
      double initial = EndpointScore.initial(Source.GOSSIP, i);
      if (e == null) {
        e = new EndpointEntry(ep, now, Source.GOSSIP.bit(), initial);
        p.endpoints.add(e);
      } else {
        e.sources |= Source.GOSSIP.bit();
        e.lastSeenMs = now;
        e.score = Math.max(e.score, initial);
        // A new version: the peer may be back where it failed before; worth another try.
        if (e.reachable == Reachability.NO) {
          e.reachable = Reachability.UNKNOWN;
        }
      }
      listed.add(e);
    }
    for (EndpointEntry e : p.endpoints) {
      if (!listed.contains(e)) {
        e.sources &= ~Source.GOSSIP.bit();
      }
    }
    p.endpoints.removeIf(e -> e.sources == 0);
    trim(p, listed);
    return true;
  }

  /**
   * Adds (or reinforces) an endpoint heard outside gossip: the cache at start-up, a seed, a
   * relay lookup the links used. Returns false when the peer or the endpoint is not kept.
   */
  public boolean addEndpoint(String key, Endpoint ep, Source source, double score, long lastSeenMs, NatType nat,
      long ver) {
    PeerEntry p = admit(key);
    if (p == null) {
      return false;
    }
    if (ver > p.ver) {
      p.ver = ver;
      if (nat != null) {
        p.nat = nat;
      }
    } else if (p.nat == NatType.UNKNOWN && nat != null) {
      p.nat = nat;
    }
    EndpointEntry e = find(p, ep);
    if (e == null) {
      e = new EndpointEntry(ep, lastSeenMs, source.bit(), Math.max(0, Math.min(EndpointScore.MAX, score)));
      p.endpoints.add(e);
      trim(p, List.of());
      if (p.endpoints.isEmpty()) {
        peers.remove(key);
      }
      return p.endpoints.contains(e);
    }
    e.sources |= source.bit();
    e.lastSeenMs = Math.max(e.lastSeenMs, lastSeenMs);
    e.score = Math.max(e.score, Math.min(EndpointScore.MAX, score));
    return true;
  }

  /**
   * What the links found: a success promotes the endpoint (and adds it when it came from
   * elsewhere, e.g. the relay), a failure halves its score and moves it behind the others.
   */
  public boolean report(String key, Endpoint ep, boolean ok, Source sourceIfNew) {
    PeerEntry p = peers.get(key);
    EndpointEntry e = p == null ? null : find(p, ep);
    if (e == null) {
      if (!ok || sourceIfNew == null || key.equals(self)) {
        return false;
      }
      if (!addEndpoint(key, ep, sourceIfNew, EndpointScore.initial(sourceIfNew, 0), clock.nowMillis(), null, -1)) {
        return false;
      }
      p = peers.get(key);
      e = find(p, ep);
    }
    if (ok) {
      e.score = EndpointScore.afterSuccess(e.score);
      e.reachable = Reachability.YES;
      e.failures = 0;
      e.lastSeenMs = Math.max(e.lastSeenMs, clock.nowMillis());
    } else {
      e.score = EndpointScore.afterFailure(e.score);
      e.reachable = Reachability.NO;
      e.failures++;
    }
    return true;
  }

  /**
   * Hard TTL: endpoints not heard of for hard_ttl lose their gossip, relay and local sources;
   * cache-only endpoints stay (they are old by nature) until something better displaces them.
   * Returns the keys of peers that went away entirely.
   */
  public List<String> expire() {
    long now = clock.nowMillis();
    int transient_ = Source.GOSSIP.bit() | Source.RELAY.bit() | Source.LOCAL.bit() | Source.STUN.bit();
    List<String> gone = new ArrayList<>();
    peers.values().removeIf(p -> {
      for (EndpointEntry e : p.endpoints) {
        if (now - e.lastSeenMs > hardTtlMs) {
          e.sources &= ~transient_;
        }
      }
      p.endpoints.removeIf(e -> e.sources == 0);
      if (p.endpoints.isEmpty()) {
        gone.add(p.key);
        return true;
      }
      return false;
    });
    return gone;
  }

  /** The peer's endpoints, best first; empty when the peer is not kept. */
  public List<EndpointView> endpoints(String key) {
    PeerEntry p = peers.get(key);
    return p == null ? List.of() : views(p);
  }

  public PeerView view(String key) {
    PeerEntry p = peers.get(key);
    return p == null ? null : new PeerView(p.key, p.nat, p.ver, p.lastUpdateMs, views(p));
  }

  /** Every kept peer, by key. */
  public List<PeerView> snapshot() {
    List<PeerView> out = new ArrayList<>(peers.size());
    for (String k : peers.keySet().stream().sorted().toList()) {
      out.add(view(k));
    }
    return out;
  }

  /** Up to {@code k} distinct random peers, each with its best endpoint. */
  public List<Target> pickTargets(int k, Random random) {
    List<PeerEntry> all = new ArrayList<>(peers.values());
    all.sort(Comparator.comparing(p -> p.key)); // HashMap order must not leak into the choice
    Collections.shuffle(all, random);
    List<Target> out = new ArrayList<>(Math.min(k, all.size()));
    for (PeerEntry p : all) {
      if (out.size() == k) {
        break;
      }
      out.add(new Target(p.key, best(p).endpoint));
    }
    return out;
  }

  /** Every kept peer with its best endpoint (where our own announce goes). */
  public List<Target> allTargets() {
    List<Target> out = new ArrayList<>(peers.size());
    for (PeerEntry p : peers.values()) {
      out.add(new Target(p.key, best(p).endpoint));
    }
    out.sort(Comparator.comparing(Target::pubkey));
    return out;
  }

  /** The best {@code perPeer} endpoints of every peer: what the cache keeps. */
  public List<CachedEndpoint> bestForCache(int perPeer) {
    List<CachedEndpoint> out = new ArrayList<>();
    for (PeerEntry p : peers.values()) {
      List<EndpointEntry> sorted = sorted(p);
      for (int i = 0; i < Math.min(perPeer, sorted.size()); i++) {
        EndpointEntry e = sorted.get(i);
        out.add(new CachedEndpoint(p.key, e.endpoint, p.nat, e.lastSeenMs / 1000, Math.max(0, p.ver), e.score,
            e.sources));
      }
    }
    return out;
  }

  // ---- internals ----

  /** The peer's entry, created when there is room or when it outranks the worst kept peer. */
  private PeerEntry admit(String key) {
    PeerEntry p = peers.get(key);
    if (p != null) {
      return p;
    }
    if (key.equals(self)) {
      return null;
    }
    long w = weight(self, key);
    if (peers.size() >= maxPeers) {
      PeerEntry worst = null;
      for (PeerEntry q : peers.values()) {
        if (worst == null || Long.compareUnsigned(q.weight, worst.weight) > 0) {
          worst = q;
        }
      }
      if (worst == null || Long.compareUnsigned(w, worst.weight) >= 0) {
        return null;
      }
      peers.remove(worst.key);
    }
    p = new PeerEntry(key, w);
    p.lastUpdateMs = clock.nowMillis();
    peers.put(key, p);
    return p;
  }

  /** Rendezvous weight of {@code peer} seen from {@code self}. */
  static long weight(String self, String peer) {
    byte[] h = Ed25519.sha256((self + peer).getBytes(StandardCharsets.US_ASCII));
    return ByteBuffer.wrap(h, 0, 8).getLong();
  }

  /** At most six endpoints: the worst go first, never one of {@code keep} (an announce's own list). */
  private void trim(PeerEntry p, List<EndpointEntry> keep) {
    if (p.endpoints.size() <= GossipConfig.MAX_ENDPOINTS) {
      return;
    }
    List<EndpointEntry> sorted = sorted(p);
    for (int i = sorted.size() - 1; i >= 0 && p.endpoints.size() > GossipConfig.MAX_ENDPOINTS; i--) {
      EndpointEntry e = sorted.get(i);
      if (!keep.contains(e)) {
        p.endpoints.remove(e);
      }
    }
  }

  private List<EndpointEntry> sorted(PeerEntry p) {
    List<EndpointEntry> s = new ArrayList<>(p.endpoints);
    s.sort(EndpointScore.order(clock.nowMillis(), preferFreshMs));
    return s;
  }

  private EndpointEntry best(PeerEntry p) {
    long now = clock.nowMillis();
    return Collections.min(p.endpoints, EndpointScore.order(now, preferFreshMs));
  }

  private List<EndpointView> views(PeerEntry p) {
    long now = clock.nowMillis();
    List<EndpointView> out = new ArrayList<>(p.endpoints.size());
    for (EndpointEntry e : sorted(p)) {
      out.add(new EndpointView(e.endpoint, e.lastSeenMs, e.reachable, e.sources, e.score,
          EndpointScore.rank(e, now, preferFreshMs), e.failures));
    }
    return out;
  }

  private static EndpointEntry find(PeerEntry p, Endpoint ep) {
    for (EndpointEntry e : p.endpoints) {
      if (e.endpoint.equals(ep)) {
        return e;
      }
    }
    return null;
  }
}
