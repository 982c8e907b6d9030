package org.kinmesh.gossip;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.kinmesh.config.ConfigException;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/**
 * Gossip engines wired to each other in memory: engine i "lives" at 10.0.0.(i+1):7070, and
 * what one sends is handed to the engine at the destination, replies and all. One manual clock.
 */
final class EngineNet {
  static final String CHAIN = "fam";
  static final long START_MS = 1_767_225_600_000L;

  final ManualTimeSource clock = new ManualTimeSource(START_MS);
  final List<Identity> keys = new ArrayList<>();
  final List<GossipEngine> engines = new ArrayList<>();
  final Map<Endpoint, GossipEngine> byEndpoint = new HashMap<>();
  final Map<GossipEngine, Endpoint> endpointOf = new HashMap<>();
  /** Datagrams delivered, and the results, in order (for assertions). */
  final List<GossipEngine.Result> results = new ArrayList<>();
  final List<GossipEngine.Outgoing> lost = new ArrayList<>();

  EngineNet(int n, JsonObject config) {
    GossipConfig cfg;
    try {
      cfg = GossipConfig.fromJson(config);
    } catch (ConfigException e) {
      throw new AssertionError(e);
    }
    for (int i = 0; i < n; i++) {
      keys.add(TestKeys.key(300 + i));
    }
    Set<String> authorized = keys.stream().map(Identity::publicKeyHex).collect(Collectors.toSet());
    for (int i = 0; i < n; i++) {
      GossipEngine e = new GossipEngine(CHAIN, cfg, keys.get(i), clock, new Random(i));
      Endpoint ep = endpoint(i);
      e.setOwn(List.of(ep), NatType.UNKNOWN);
      e.authorize(authorized);
      engines.add(e);
      byEndpoint.put(ep, e);
      endpointOf.put(e, ep);
    }
  }

  EngineNet(int n) {
    this(n, new JsonObject());
  }

  static Endpoint endpoint(int i) {
    return new Endpoint("10.0.0." + (i + 1), 7070);
  }

  GossipEngine e(int i) {
    return engines.get(i);
  }

  String key(int i) {
    return keys.get(i).publicKeyHex();
  }

  /** Hands every datagram to its destination, and the replies back, until nothing is left. */
  void deliver(GossipEngine from, List<GossipEngine.Outgoing> out) {
    for (GossipEngine.Outgoing o : out) {
      GossipEngine to = byEndpoint.get(o.to());
      if (to == null) {
        lost.add(o);
        continue;
      }
      Endpoint src = endpointOf.get(from);
      GossipEngine.Result r = to.onDatagram(src.ip(), src.port(), o.data());
      results.add(r);
      deliver(to, r.replies());
    }
  }

  /** Engine i announces itself to every kept peer. */
  void announce(int i) {
    GossipEngine e = e(i);
    deliver(e, e.announceTargets(e.announceSelf()));
  }

  /** Engine i signs its next announce and sends it to engine j only. */
  GossipEngine.Result announceTo(int i, int j) {
    return send(i, j, GossipEngine.encode(org.kinmesh.wire.gossip.GossipDatagram.TYPE_ANNOUNCE,
        e(i).announceSelf().toJson()));
  }

  /** One pull round of engine i, delivered. */
  void pull(int i) {
    deliver(e(i), e(i).pullRound());
  }

  /** A datagram from engine i's address to engine j; the result. */
  GossipEngine.Result send(int i, int j, byte[] data) {
    Endpoint src = endpointOf.get(e(i));
    GossipEngine.Result r = e(j).onDatagram(src.ip(), src.port(), data);
    results.add(r);
    return r;
  }

  /**
   * A pull signed by engine i that engine j answers in full: it echoes j's cookie for i's
   * address, as a genuine puller's pull does after one cookie round trip.
   */
  byte[] verifiedPull(int i, int j, long since, long ts) {
    org.kinmesh.wire.gossip.Pull p = org.kinmesh.wire.gossip.Pull.sign(keys.get(i), CHAIN, since, ts);
    String cookie = e(j).cookies().issue(endpointOf.get(e(i)));
    return GossipEngine.encode(org.kinmesh.wire.gossip.GossipDatagram.TYPE_PULL,
        org.kinmesh.wire.gossip.Cookie.attach(p.toJson(), cookie));
  }

  GossipEngine.Result last() {
    return results.get(results.size() - 1);
  }
}
