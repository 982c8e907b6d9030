package org.kinmesh.gossip;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.config.ConfigException;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.LedgerVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * One node's gossip for real-network tests: its own Vert.x with a real ledger (the authorized
 * set comes from the genesis), a real UdpTransport on 127.0.0.1 port 0 and the Gossip verticle.
 */
final class GossipNode implements AutoCloseable {
  static final String CHAIN = "gossipnet";

  final Identity id;
  final Vertx vertx = Vertx.vertx();
  final UdpTransport udp;
  final GossipVerticle gossip;
  final Events updates;

  GossipNode(Identity id, Block genesis, Path dataDir, JsonObject gossipConfig, boolean persist) {
    this.id = id;
    updates = new Events(vertx, org.kinmesh.gossip.GossipAddresses.DEFAULT.peerTableUpdated());
    Await.result(vertx.deployVerticle(new LedgerVerticle(dataDir.resolve("ledger.db"), genesis, TimeSource.SYSTEM)));
    udp = new UdpTransport("127.0.0.1", 0, UdpAddresses.DEFAULT);
    Await.result(vertx.deployVerticle(udp));
    GossipConfig cfg;
    try {
      cfg = GossipConfig.fromJson(gossipConfig);
    } catch (ConfigException e) {
      throw new AssertionError(e);
    }
    gossip = new GossipVerticle(new GossipSettings(CHAIN, cfg, List.of(), persist ? dataDir.resolve("peers.db") : null),
        id, TimeSource.SYSTEM, UdpAddresses.DEFAULT, GossipAddresses.DEFAULT);
    Await.result(vertx.deployVerticle(gossip));
  }

  /** A genesis whose consensus nodes are these keys. */
  static Block genesis(List<Identity> keys) {
    List<GenesisSpec.ConsensusNode> nodes = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      nodes.add(new GenesisSpec.ConsensusNode(keys.get(i).publicKeyHex(), i + 1));
    }
    try {
      return Genesis.build(new GenesisSpec(new ChainParams(CHAIN, 1, 0, 30, 72, 86_400),
          System.currentTimeMillis() / 1000 - 10, List.of(new GenesisSpec.Guardian(TestKeys.key(99).publicKeyHex(),
              "Gran")), nodes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Fast timers for tests. */
  static JsonObject fast() {
    return new JsonObject().put("announce_interval_ms", 2_000).put("announce_jitter_ms", 200)
        .put("pull_interval_ms", 150).put("pull_jitter_ms", 30).put("quick_pulls", 2).put("quick_pull_window_ms", 100)
        .put("pull_timeout_ms", 400).put("persist_interval_ms", 500);
  }

  static JsonObject fast(Endpoint... seeds) {
    JsonArray s = new JsonArray();
    for (Endpoint e : seeds) {
      s.add(e.toString());
    }
    return fast().put("seeds", s);
  }

  Endpoint endpoint() {
    return new Endpoint("127.0.0.1", udp.boundPort());
  }

  String key() {
    return id.publicKeyHex();
  }

  JsonObject status() {
    return Await.result(vertx.eventBus().<JsonObject>request(org.kinmesh.gossip.GossipAddresses.DEFAULT.status(),
        new JsonObject().put("table", true))).body();
  }

  /** The peer's endpoints best first (empty when unknown). */
  List<Endpoint> endpointsOf(String key) {
    var reply = vertx.eventBus().<JsonObject>request(org.kinmesh.gossip.GossipAddresses.DEFAULT.peerTableQuery(), new JsonObject().put("pubkey", key));
    try {
      JsonObject body = reply.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
      List<Endpoint> out = new ArrayList<>();
      for (Object o : body.getJsonArray("endpoints")) {
        JsonObject e = (JsonObject) o;
        out.add(new Endpoint(e.getString("ip"), e.getInteger("port")));
      }
      return out;
    } catch (java.util.concurrent.ExecutionException e) {
      return List.of();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits (on table updates, never a sleep) until the best endpoint of each key is the one given. */
  void awaitBest(Map<String, Endpoint> best) {
    awaitUntil(() -> best.entrySet().stream().allMatch(e -> {
      List<Endpoint> eps = endpointsOf(e.getKey());
      return !eps.isEmpty() && eps.get(0).equals(e.getValue());
    }), "best endpoints " + best);
  }

  void awaitUntil(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id.shortId() + ": not reached within 20 s: " + what + "; status "
            + status().encodePrettily());
      }
      try {
        updates.next();
      } catch (AssertionError quiet) {
        // no update for a while: check once more, then the deadline decides
      }
    }
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
