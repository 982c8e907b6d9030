package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.chain.Block;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.Node;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * Four real nodes and no relay at all (the relay URL points at a closed loopback port): node 0
 * starts first, the others know only its address as a gossip seed. Gossip fills every peer
 * table, the links dial what the table gives them, and consensus commits blocks.
 */
class NodesWithoutRelayTest {
  @TempDir
  Path dir;
  final List<Vertx> vertxes = new ArrayList<>();

  @AfterEach
  void close() {
    for (Vertx v : vertxes) {
      Await.result(v.close());
    }
  }

  @Test
  void fourNodesFindEachOtherByGossipAndCommit() throws Exception {
    List<Identity> keys = List.of(TestKeys.key(451), TestKeys.key(452), TestKeys.key(453), TestKeys.key(454));
    Block genesis = GossipNode.genesis(keys);
    Path genesisFile = writeGenesis(genesis);
    int deadPort = closedPort();
    List<Node> nodes = new ArrayList<>();
    List<Promise<Void>> committed = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject gossip = GossipNode.fast();
      if (i > 0) {
        gossip.put("seeds", new JsonArray().add("127.0.0.1:" + nodes.get(0).udpPort()));
      }
      JsonObject json = new JsonObject().put("identity_path", "unused").put("genesis_path", genesisFile.toString())
          .put("data_dir", dir.resolve("n" + i).toString()).put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1")
          .put("gossip_udp_port", 0).put("relay_url", "http://127.0.0.1:" + deadPort)
          .put("block_interval_ms", 100).put("empty_block_interval_ms", 500)
          .put("intervals", new JsonObject().put("view_change_timeout_ms", 1000).put("peer_retry_max_secs", 1))
          .put("gossip", gossip);
      NodeConfig config = NodeConfig.fromJson(json, Map.of(), null);
      Vertx v = Vertx.vertx();
      vertxes.add(v);
      Promise<Void> two = Promise.promise();
      v.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().chainCommitted(), m -> {
        if (m.body().getLong("height") >= 2) {
          two.tryComplete();
        }
      });
      committed.add(two);
      Node n = new Node(config, keys.get(i), genesis, TimeSource.SYSTEM);
      Await.result(v.deployVerticle(n));
      nodes.add(n);
    }
    for (Promise<Void> p : committed) {
      Await.result(p.future());
    }
    int linkEnds = 0;
    long successes = 0;
    for (int i = 0; i < 4; i++) {
      JsonObject peers = Await.result(vertxes.get(i).eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().peersStatus(),
          new JsonObject())).body();
      int connected = 0;
      for (Object o : peers.getJsonArray("peers")) {
        JsonObject p = (JsonObject) o;
        if ("connected".equals(p.getString("state"))) {
          connected++;
        }
      }
      // A quorum is three of four: every node reaches at least two others.
      assertThat(connected).as("node %d links", i).isGreaterThanOrEqualTo(2);
      // Dialed TCP links (they have a direction); UDP paths are punched, not dialed.
      for (Object o : peers.getJsonArray("peers")) {
        if (((JsonObject) o).getValue("direction") != null) {
          linkEnds++;
        }
      }
      JsonObject g = Await.result(vertxes.get(i).eventBus().<JsonObject>request(org.kinmesh.gossip.GossipAddresses.DEFAULT.status(),
          new JsonObject())).body();
      assertThat(g.getInteger("peers")).isEqualTo(3);
      successes += g.getJsonObject("counters").getJsonObject("events").getLong("endpoint_successes", 0L);
    }
    // Every link was dialed by one side, to an endpoint only the peer table could give (no relay), and the
    // dialer told the table it worked.
    assertThat(successes).isGreaterThanOrEqualTo(linkEnds / 2);
  }

  /**
   * ARCHITECTURE.md's start-up order, "gossip first and relay last": a node restarted with a peer
   * cache dials its peer at the cached endpoint without asking the relay. (When the links started
   * before gossip, the first dial found no peer table and went to the relay.)
   */
  @Test
  void aRestartedNodeDialsFromItsPeerCacheWithoutAskingTheRelay() throws Exception {
    List<Identity> keys = List.of(TestKeys.key(461), TestKeys.key(462), TestKeys.key(463), TestKeys.key(464));
    Block genesis = GossipNode.genesis(keys);
    Path genesisFile = writeGenesis(genesis);
    int deadPort = closedPort();
    Vertx va = Vertx.vertx();
    vertxes.add(va);
    Node a = new Node(config(genesisFile, "a", deadPort, GossipNode.fast()), keys.get(0), genesis, TimeSource.SYSTEM);
    Await.result(va.deployVerticle(a));
    JsonObject seeded = GossipNode.fast().put("seeds", new JsonArray().add("127.0.0.1:" + a.udpPort()));
    // First life of b: gossip from the seed fills its table (and its cache, saved at stop).
    Vertx vb = Vertx.vertx();
    Await.result(vb.deployVerticle(new Node(config(genesisFile, "b", deadPort, seeded), keys.get(1), genesis,
        TimeSource.SYSTEM)));
    awaitConnected(vb, keys.get(0).publicKeyHex());
    Await.result(vb.close());
    // Second life, no seed: only the cache knows where a is. Count what is asked of the relay client.
    Vertx vb2 = Vertx.vertx();
    vertxes.add(vb2);
    java.util.concurrent.atomic.AtomicInteger relayLookups = new java.util.concurrent.atomic.AtomicInteger();
    vb2.eventBus().addOutboundInterceptor(ctx -> {
      // Peers c and d never ran: nothing but the relay can know them, so only lookups of a count.
      if (NodeAddresses.DEFAULT.relayClient().lookup().equals(ctx.message().address()) && ctx.message().body() instanceof JsonObject b
          && keys.get(0).publicKeyHex().equals(b.getString("pubkey"))) {
        relayLookups.incrementAndGet();
      }
      ctx.next();
    });
    Await.result(vb2.deployVerticle(new Node(config(genesisFile, "b", deadPort, GossipNode.fast()), keys.get(1),
        genesis, TimeSource.SYSTEM)));
    awaitConnected(vb2, keys.get(0).publicKeyHex());
    assertThat(relayLookups.get()).as("relay lookups of the cached peer before it was reached").isZero();
  }

  private Path writeGenesis(Block genesis) throws java.io.IOException {
    Path genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());
    return genesisFile;
  }

  /** A loopback port nothing listens on (bound, then closed again): the relay that is not there. */
  private static int closedPort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private NodeConfig config(Path genesisFile, String name, int deadRelayPort, JsonObject gossip) throws Exception {
    JsonObject json = new JsonObject().put("identity_path", "unused").put("genesis_path", genesisFile.toString())
        .put("data_dir", dir.resolve(name).toString()).put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1")
        .put("gossip_udp_port", 0).put("relay_url", "http://127.0.0.1:" + deadRelayPort)
        .put("intervals", new JsonObject().put("peer_retry_max_secs", 1)).put("gossip", gossip);
    return NodeConfig.fromJson(json, Map.of(), null);
  }

  /** Waits for the peer's link-up event, after checking the status in case it came first. */
  private static void awaitConnected(Vertx v, String peer) {
    Promise<Void> up = Promise.promise();
    v.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().peersEvents(), m -> {
      if (peer.equals(m.body().getString("pubkey")) && "up".equals(m.body().getString("event"))) {
        up.tryComplete();
      }
    }).completion().compose(x -> v.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().peersStatus(), new JsonObject()))
        .onSuccess(m -> {
          for (Object o : m.body().getJsonArray("peers")) {
            JsonObject p = (JsonObject) o;
            if (peer.equals(p.getString("pubkey")) && "connected".equals(p.getString("state"))) {
              up.tryComplete();
            }
          }
        });
    Await.result(up.future());
  }
}
