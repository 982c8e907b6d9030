package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * A relay (genesis-file bootstrap) and N real nodes on loopback, each node in its own Vert.x, with
 * fast timers. Nodes can be stopped (their Vert.x closed: sockets drop as in a crash, nothing is
 * flushed beyond what SQLite committed) and restarted on the same data_dir. Every block a node
 * publishes on CHAIN_COMMITTED is recorded, across restarts, so a test can wait for heights and
 * check that no two nodes ever committed different blocks at one height. Several networks may share
 * one Vert.x ({@link #TestNetwork(Path, int, java.util.function.BiConsumer, Vertx, String, int)}): each
 * node then gets its own bus_namespace and is undeployed, not closed, when stopped.
 */
final class TestNetwork implements AutoCloseable {
  static final String CHAIN = "faults";
  static final Duration WAIT = Duration.ofSeconds(20);

  final Path dir;
  /** The blockchain_id of this network: {@link #CHAIN} unless several share one Vert.x. */
  final String chain;
  /** The Vert.x every node of this network runs in, or null: each node in its own. */
  private final Vertx shared;
  final Identity guardian = TestKeys.key(100);
  final List<Identity> keys = new ArrayList<>();
  final Block genesis;
  final Path genesisFile;
  /**
   * Every node's clock: the system clock plus an offset the test can move forward, so a test decides
   * when "an hour without a block" has passed (the emergency rule) while timers run in real time.
   */
  final OffsetClock clock = new OffsetClock();
  /** Each node's clock: the shared one unless a test gives a node another (a skewed machine). */
  java.util.function.IntFunction<TimeSource> nodeClock = i -> clock;
  /** Options of each node's Vert.x (the benchmark may shrink its thread pools); defaults otherwise. */
  /** As {@code kinmesh node} runs a node: {@link NodeConfig#DEFAULT_EVENT_LOOPS} event loops. */
  io.vertx.core.VertxOptions nodeVertxOptions = new io.vertx.core.VertxOptions()
      .setEventLoopPoolSize(NodeConfig.DEFAULT_EVENT_LOOPS);
  private final Vertx relayVertx = Vertx.vertx();
  private final RelayVerticle relay;
  private final List<Member> members = new ArrayList<>();

  /** One node's slot: its identity, config and recorded commits survive restarts. */
  final class Member {
    final int index;
    final Identity identity;
    final NodeConfig config;
    /** height -> hash of every block this node announced (all its lives). */
    final NavigableMap<Long, String> committed = new ConcurrentSkipListMap<>();
    /** The hash of every transaction this node announced in a committed block (all its lives). */
    final java.util.Set<String> committedTxs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private io.vertx.core.eventbus.MessageConsumer<JsonObject> commits;
    private String deploymentId;
    /** The genesis this node starts from: the network's, unless a test gave it another. */
    Block genesis = TestNetwork.this.genesis;
    private final List<Map.Entry<Long, Promise<Void>>> waiters = new ArrayList<>();
    Vertx vertx;
    Node node;

    Member(int index, Identity identity, NodeConfig config) {
      this.index = index;
      this.identity = identity;
      this.config = config;
    }

    String key() {
      return identity.publicKeyHex();
    }

    boolean up() {
      return vertx != null;
    }

    /** The node's event-bus addresses (its bus_namespace's). */
    NodeAddresses addresses() {
      return NodeAddresses.of(config.busScope());
    }

    long height() {
      return committed.isEmpty() ? 0 : committed.lastKey();
    }

    private void start() {
      Vertx v = shared != null ? shared : Vertx.vertx(new io.vertx.core.VertxOptions(nodeVertxOptions));
      commits = v.eventBus().<JsonObject>consumer(addresses().api().chainCommitted(), m -> onCommitted(m.body()));
      Node n = new Node(config, identity, this.genesis, nodeClock.apply(index));
      vertx = v;
      node = n;
      // Twelve nodes starting on one shared Vert.x of a loaded 2-core machine take longer than one.
      deploymentId = await(v.deployVerticle(n), shared != null ? WAIT.multipliedBy(3) : WAIT);
    }

    private void onCommitted(JsonObject b) {
      long h = b.getLong("height");
      b.getJsonArray("transactions").forEach(t -> committedTxs.add(((JsonObject) t).getString("hash")));
      String previous = committed.put(h, b.getString("hash"));
      if (previous != null && !previous.equals(b.getString("hash"))) {
        throw new AssertionError("node " + index + " committed two blocks at height " + h);
      }
      List<Promise<Void>> done = new ArrayList<>();
      synchronized (waiters) {
        waiters.removeIf(w -> {
          if (w.getKey() <= h) {
            done.add(w.getValue());
            return true;
          }
          return false;
        });
      }
      done.forEach(Promise::tryComplete);
    }

    /** Completes once this node committed height h (at once if it already has). */
    Future<Void> reached(long h) {
      Promise<Void> p = Promise.promise();
      synchronized (waiters) {
        waiters.add(Map.entry(h, p));
      }
      if (height() >= h) {
        synchronized (waiters) {
          waiters.removeIf(w -> w.getValue() == p);
        }
        p.tryComplete();
      }
      return p.future();
    }
  }

  /**
   * @param n number of consensus nodes (keys 101..100+n), guardian key 100, deauth_threshold 1
   * @param tweak changes each node's config JSON before it is parsed (index, json)
   */
  TestNetwork(Path dir, int n, java.util.function.BiConsumer<Integer, JsonObject> tweak) throws Exception {
    this(dir, n, tweak, null, CHAIN, 101);
  }

  /**
   * A network whose nodes all run in {@code shared} (null: each in its own Vert.x), on chain {@code chain},
   * with consensus keys {@code firstKey}.. (the guardian stays key 100). With a shared Vert.x each node's
   * bus_namespace is {@code <chain>.n<i>} unless the tweak sets another.
   */
  TestNetwork(Path dir, int n, java.util.function.BiConsumer<Integer, JsonObject> tweak, Vertx shared, String chain,
      int firstKey) throws Exception {
    this.dir = dir;
    this.shared = shared;
    this.chain = chain;
    List<GenesisSpec.ConsensusNode> cn = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Identity k = TestKeys.key(firstKey + i);
      keys.add(k);
      cn.add(new GenesisSpec.ConsensusNode(k.publicKeyHex(), i + 1));
    }
    genesis = Genesis.build(new GenesisSpec(new ChainParams(chain, 1, 0, 30, 72, 86_400),
        System.currentTimeMillis() / 1000 - 10, List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "Mum")), cn));
    genesisFile = dir.resolve("genesis.json");
    Files.write(genesisFile, genesis.toJsonBytes());

    relay = new RelayVerticle(RelayConfig.fromJson(new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString()).put("http_instances", 1)
        .put("bootstrap", new JsonArray().add(genesisFile.toString())), Map.of()), clock);
    await(relayVertx.deployVerticle(relay), WAIT);
    String relayUrl = "http://127.0.0.1:" + relay.boundPort();
    for (int i = 0; i < n; i++) {
      JsonObject json = new JsonObject().put("identity_path", "unused")
          .put("genesis_path", genesisFile.toString()).put("data_dir", dir.resolve("n" + i).toString())
          .put("api_listen", "127.0.0.1:0").put("listen_host", "127.0.0.1").put("gossip_udp_port", 0).put("relay_url", relayUrl)
          .put("block_interval_ms", 100).put("empty_block_interval_ms", 500)
          .put("intervals", new JsonObject().put("view_change_timeout_ms", 1000).put("peer_retry_max_secs", 2));
      if (shared != null) {
        json.put("bus_namespace", chain + ".n" + i);
      }
      tweak.accept(i, json);
      members.add(new Member(i, keys.get(i), NodeConfig.fromJson(json, Map.of(), null)));
    }
  }

  TestNetwork(Path dir, int n) throws Exception {
    this(dir, n, (i, json) -> { });
  }

  /** Starts every node that is not up, in index order. */
  TestNetwork startAll() {
    for (Member m : members) {
      if (!m.up()) {
        m.start();
      }
    }
    return this;
  }

  /**
   * Gives node i the genesis of the same spec dated one second later: another chain with the same
   * id and keys, as two runs of an old `kinmesh genesis` made (issue 12.5). Call before it starts.
   */
  Block otherGenesis(int i) throws Exception {
    Block other = Genesis.build(new GenesisSpec(genesis.params(), genesis.timestamp() + 1,
        List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), "Mum")), keys.stream()
        .map(k -> new GenesisSpec.ConsensusNode(k.publicKeyHex(), keys.indexOf(k) + 1)).toList()));
    members.get(i).genesis = other;
    return other;
  }

  Member node(int i) {
    return members.get(i);
  }

  List<Member> nodes() {
    return List.copyOf(members);
  }

  List<Member> upNodes() {
    return members.stream().filter(Member::up).toList();
  }

  /** The node of this key. */
  Member byKey(String key) {
    return members.stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
  }

  /** Crash-like stop: closes the node's Vert.x (its sockets drop; its database is closed). */
  void stop(int i) {
    Member m = members.get(i);
    Vertx v = m.vertx;
    m.vertx = null;
    m.node = null;
    if (shared != null) {
      await(m.commits.unregister().compose(x -> v.undeploy(m.deploymentId)), WAIT);
    } else {
      await(v.close(), WAIT);
    }
  }

  /** A fresh Vert.x and Node on the same data_dir and identity. */
  void restart(int i) {
    members.get(i).start();
  }

  String relayUrl() {
    return "http://127.0.0.1:" + relay.boundPort();
  }

  void stopRelay() {
    await(relayVertx.close(), WAIT);
  }

  void awaitHeight(int i, long h) {
    awaitHeight(i, h, WAIT);
  }

  void awaitHeight(int i, long h, Duration bound) {
    Member m = members.get(i);
    try {
      await(m.reached(h), bound);
    } catch (AssertionError e) {
      throw new AssertionError("node " + i + " did not reach height " + h + " within " + bound + " (at "
          + m.height() + ")", e);
    }
  }

  /** Every node that is up reaches height h. */
  void awaitHeightOnUpNodes(long h) {
    for (Member m : upNodes()) {
      awaitHeight(m.index, h);
    }
  }

  /** The highest height any node announced. */
  long maxHeight() {
    return members.stream().mapToLong(Member::height).max().orElse(0);
  }

  JsonObject status(int i) {
    return await(members.get(i).vertx.eventBus().<JsonObject>request(members.get(i).addresses().api().nodeStatus(), new JsonObject()), WAIT)
        .body();
  }

  /** Submits a transaction on node i's event bus; the reply body ({"hash","validation"}). */
  JsonObject submit(int i, Transaction tx) {
    return await(members.get(i).vertx.eventBus().<JsonObject>request(members.get(i).addresses().api().chainSubmit(),
        new JsonObject(new String(tx.toJsonBytes(), StandardCharsets.UTF_8))), WAIT).body();
  }

  /** Publishes a payload from {@code from} on node i's LINKS_INBOUND, as if a peer had sent it. */
  void inject(int i, String from, String payload) {
    members.get(i).vertx.eventBus().publish(members.get(i).addresses().links().inbound(),
        new org.kinmesh.node.link.LinkMessage(from, payload.getBytes(StandardCharsets.UTF_8)));
  }

  /** Waits for the next message on node i's address that matches (registered before {@code trigger} runs). */
  JsonObject awaitMessage(int i, String address, Predicate<JsonObject> match, Runnable trigger) {
    return awaitMessage(i, address, match, trigger, WAIT);
  }

  /** As above, waiting at most {@code bound} for the message. */
  JsonObject awaitMessage(int i, String address, Predicate<JsonObject> match, Runnable trigger, Duration bound) {
    Promise<JsonObject> p = Promise.promise();
    var c = members.get(i).vertx.eventBus().<JsonObject>consumer(address, m -> {
      if (match.test(m.body())) {
        p.tryComplete(m.body());
      }
    });
    await(c.completion(), WAIT);
    try {
      trigger.run();
      return await(p.future(), bound);
    } catch (AssertionError e) {
      throw new AssertionError("node " + i + ": no matching message on " + address + "; status " + status(i), e);
    } finally {
      c.unregister();
    }
  }

  /** Completes when node {@code observer}'s links publish {@code event} ("up"/"down") for {@code key}. */
  Future<Void> peerEvent(int observer, String key, String event) {
    Promise<Void> p = Promise.promise();
    var c = members.get(observer).vertx.eventBus().<JsonObject>consumer(members.get(observer).addresses().api().peersEvents(), m -> {
      if (key.equals(m.body().getString("pubkey")) && event.equals(m.body().getString("event"))) {
        p.tryComplete();
      }
    });
    await(c.completion(), WAIT);
    return p.future().eventually(() -> c.unregister());
  }

  /**
   * Safety: at every height, every node that committed it committed the same block. Returns the
   * agreed chain (height -> hash).
   */
  NavigableMap<Long, String> assertNoFork() {
    NavigableMap<Long, String> agreed = new TreeMap<>();
    for (Member m : members) {
      m.committed.forEach((h, hash) -> {
        String other = agreed.putIfAbsent(h, hash);
        assertThat(other == null || other.equals(hash))
            .as("fork at height %d: node %d has %s, another node %s", h, m.index, hash, other).isTrue();
      });
    }
    return agreed;
  }

  /**
   * Liveness-free check that node i commits nothing for {@code windowMs}, measured with a Vert.x
   * timer on that node: returns the heights it announced during the window (expected empty).
   */
  List<Long> commitsDuring(int i, long windowMs) {
    Vertx v = members.get(i).vertx;
    List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    var c = v.eventBus().<JsonObject>consumer(members.get(i).addresses().api().chainCommitted(), m -> seen.add(m.body().getLong("height")));
    await(c.completion(), WAIT);
    Promise<Void> over = Promise.promise();
    v.setTimer(windowMs, t -> over.complete());
    await(over.future(), Duration.ofMillis(windowMs + 10_000));
    await(c.unregister(), WAIT);
    return List.copyOf(seen);
  }

  /** System time plus an offset that only moves forward. */
  static final class OffsetClock implements TimeSource {
    private final java.util.concurrent.atomic.AtomicLong offsetMillis = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long nowMillis() {
      return System.currentTimeMillis() + offsetMillis.get();
    }

    void advance(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("clocks here only move forward");
      }
      offsetMillis.addAndGet(d.toMillis());
    }
  }

  static <T> T await(Future<T> f, Duration bound) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("not done within " + bound, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (Member m : members) {
      if (m.up()) {
        try {
          stop(m.index);
        } catch (AssertionError e) {
          // keep closing the others
        }
      }
    }
    try {
      await(relayVertx.close(), WAIT);
    } catch (AssertionError e) {
      // already closed by stopRelay
    }
  }

  /** The node's PEERS_STATUS answer. */
  io.vertx.core.json.JsonObject peers(int i) {
    return await(members.get(i).vertx.eventBus().<JsonObject>request(members.get(i).addresses().api().peersStatus(), new JsonObject()), WAIT)
        .body();
  }

  /** Every pair of up nodes reaches each other on a direct path; checked at each new block (40 at most). */
  void awaitDirectPaths() {
    long h = maxHeight();
    while (!allDirect()) {
      if (h > maxHeight() + 40) {
        throw new AssertionError("paths not all direct within 40 blocks");
      }
      awaitHeightOnUpNodes(++h);
    }
  }

  private boolean allDirect() {
    for (Member m : upNodes()) {
      for (Object o : peers(m.index).getJsonArray("peers")) {
        JsonObject p = (JsonObject) o;
        boolean peerUp = upNodes().stream().anyMatch(u -> u.identity.publicKeyHex().equals(p.getString("pubkey")));
        if (peerUp && !p.getString("path").startsWith("direct")) {
          return false;
        }
      }
    }
    return true;
  }
}
