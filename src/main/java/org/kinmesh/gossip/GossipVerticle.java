package org.kinmesh.gossip;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.bus.LocalCodec;
import org.kinmesh.chain.AuthorizedSet;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;
import org.kinmesh.stun.StunView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's gossip (PROTOCOL.md §3, docs/gossip.md): owns the {@link GossipEngine} and so the
 * peer table; wires it to the UDP socket (through UdpTransport), timers, the peer cache and the
 * event bus. Start-up: load the cache, learn our socket and STUN view, then, once the ledger
 * has said who is authorized, announce at once, pull a few times quickly, and run the periodic
 * announce, pull and save loops, each re-armed with fresh jitter.
 */
public final class GossipVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GossipVerticle.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);
  private static final DeliveryOptions ASK_STUN = new DeliveryOptions().setSendTimeout(2_000);

  private final GossipSettings settings;
  private final GossipConfig cfg;
  private final Identity identity;
  private final TimeSource clock;
  private final UdpAddresses udp;
  private final GossipAddresses addresses;
  private final Random random;
  private final String log;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<Round> rounds = new ArrayList<>();
  private final Set<Long> timers = new HashSet<>();
  private GossipEngine engine;
  private Schedule schedule;
  private PeerStore store;
  private List<Endpoint> localEndpoints = List.of();
  private Endpoint stunPublic;
  private NatType stunNat = NatType.UNKNOWN;
  private long authorizedHeight = -1;
  private int authorizedQueries;
  private boolean begun;
  private boolean stopping;
  private Future<Void> lastSave = Future.succeededFuture();

  /** The pulls of one round, until each has its last delta or timed out. */
  private static final class Round {
    final Set<String> waiting;
    final Promise<Void> done = Promise.promise();

    Round(Set<String> waiting) {
      this.waiting = waiting;
    }
  }

  public GossipVerticle(GossipSettings settings, Identity identity, TimeSource clock, UdpAddresses udp,
      GossipAddresses addresses) {
    this(settings, identity, clock, udp, addresses, new Random());
  }

  public GossipVerticle(GossipSettings settings, Identity identity, TimeSource clock, UdpAddresses udp,
      GossipAddresses addresses, Random random) {
    this.settings = settings;
    this.cfg = settings.config();
    this.identity = identity;
    this.clock = clock;
    this.udp = udp;
    this.addresses = addresses;
    this.random = random;
    this.log = "node=" + identity.shortId();
  }

  private List<CachedEndpoint> preloadRows = List.of();
  private long preloadOwnVer;

  /** force_relay: announce nothing, pull nobody, answer nobody (issue 12.7). */
  private boolean silent;

  /**
   * A node with force_relay sends no gossip and answers none: its announce would spread its
   * endpoint, and every datagram it sent or answered would show its address to the peer. Its
   * peer table stays empty (it dials nobody anyway). Call before deploying.
   */
  public GossipVerticle silent(boolean on) {
    this.silent = on;
    return this;
  }

  /**
   * Endpoints and versions known from elsewhere (a provisioning tool, the benchmark's primed
   * network), loaded exactly as cache rows are, after the cache. Call before deploying.
   */
  public GossipVerticle preload(List<CachedEndpoint> rows, long ownVer) {
    this.preloadRows = rows;
    this.preloadOwnVer = ownVer;
    return this;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, UdpDatagram.class);
    LocalCodec.register(vertx, AuthorizedSet.class);
    LocalCodec.register(vertx, StunView.class);
    engine = new GossipEngine(settings.blockchainId(), cfg, identity, clock, random);
    schedule = new Schedule(cfg, random);
    return loadCache().map(v -> {
      engine.loadCache(preloadRows);
      engine.restoreOwnVer(preloadOwnVer);
      preloadRows = List.of();
      return v;
    }).compose(v -> listen()).compose(v -> learnSocket()).onSuccess(v -> {
      askStun();
      queryAuthorized();
    }).onFailure(e -> {
      // No stop() after a failed start: close what was opened.
      stopping = true;
      consumers.forEach(MessageConsumer::unregister);
      if (store != null) {
        store.close();
      }
    });
  }

  /** The cache is in the table before anything else happens (ARCHITECTURE.md start-up step 2). */
  private Future<Void> loadCache() {
    if (settings.peersDb() == null) {
      return Future.succeededFuture();
    }
    return PeerStore.open(vertx, settings.peersDb()).compose(s -> {
      store = s;
      return s.load();
    }).map(loaded -> {
      engine.loadCache(loaded.rows());
      engine.restoreOwnVer(loaded.ownVer());
      LOG.info("{} op=gossip.cache_load rows={} skipped={} peers={} own_ver={}", log, loaded.rows().size(),
          loaded.skipped(), engine.table().size(), loaded.ownVer());
      return null;
    });
  }

  private Future<Void> listen() {
    EventBus bus = vertx.eventBus();
    consumers.add(bus.<UdpDatagram>localConsumer(udp.inbound(DatagramKind.GOSSIP), m -> onDatagram(m.body())));
    consumers.add(bus.<AuthorizedSet>localConsumer(addresses.authorizedSet(), m -> applyAuthorized(m.body())));
    consumers.add(bus.<StunView>localConsumer(addresses.stunState(), m -> onStun(m.body())));
    consumers.add(bus.<JsonObject>localConsumer(addresses.peerTableQuery(), this::onQuery));
    consumers.add(bus.<JsonObject>localConsumer(addresses.peerEndpointResult(), m -> onResult(m.body())));
    consumers.add(bus.<JsonObject>localConsumer(addresses.status(), m -> m.reply(status(m.body()))));
    consumers.add(bus.<JsonObject>localConsumer(addresses.http(), this::onHttp));
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).mapEmpty();
  }

  /** Our socket's address, for the local endpoints we announce. */
  private Future<Void> learnSocket() {
    return vertx.eventBus().<JsonObject>request(udp.info(), null, ASK).compose(m -> {
      String host = m.body().getString("host");
      int port = m.body().getInteger("port");
      return vertx.executeBlocking(() -> OwnEndpoints.local(host, port));
    }).map(local -> {
      localEndpoints = local;
      refreshOwn();
      return null;
    });
  }

  /** No answer means no Stun verticle (yet): NAT unknown, announce the advertised and local endpoints. */
  private void askStun() {
    vertx.eventBus().<StunView>request(addresses.stunStateQuery(), null, ASK_STUN)
        .onSuccess(m -> onStun(m.body()));
  }

  /** The typed view, used as it is: the Stun verticle made its endpoint canonical. */
  private void onStun(StunView view) {
    if (stopping || view == null) {
      return;
    }
    stunPublic = view.publicEndpoint().orElse(null);
    stunNat = view.natType();
    if (refreshOwn() && begun) {
      LOG.info("{} op=gossip.own_changed endpoints={} nat={}", log, engine.ownEndpoints(), engine.ownNat().wire());
      announceNow();
    }
  }

  private boolean refreshOwn() {
    return engine.setOwn(OwnEndpoints.choose(settings.advertise(), stunPublic, localEndpoints), stunNat);
  }

  // ---- the authorized set ----

  private void queryAuthorized() {
    if (stopping || authorizedHeight >= 0) {
      return;
    }
    vertx.eventBus().<AuthorizedSet>request(addresses.authorizedSetQuery(), new JsonObject(), ASK).onComplete(ar -> {
      if (ar.succeeded()) {
        applyAuthorized(ar.result().body());
      } else if (!stopping && authorizedHeight < 0) {
        authorizedQueries++;
        later(Jitter.around(Backoff.DEFAULT.delayMillis(authorizedQueries), 0.1), this::queryAuthorized);
      }
    });
  }

  private void applyAuthorized(AuthorizedSet set) {
    if (stopping || set == null || set.height() < authorizedHeight) {
      return;
    }
    authorizedHeight = set.height();
    Set<String> next = set.keys();
    for (String gone : engine.authorize(next)) {
      publishRemoved(gone);
    }
    if (!begun) {
      begin();
    }
  }

  /** Announce at once, quick pulls over the first window, then the periodic loops. */
  private void begin() {
    begun = true;
    if (silent) {
      LOG.info("{} op=gossip.start silent: force_relay announces no endpoint and answers no gossip", log);
      return;
    }
    LOG.info("{} op=gossip.start endpoints={} nat={} peers={} seeds={}", log, engine.ownEndpoints(),
        engine.ownNat().wire(), engine.table().size(), cfg.seeds().size());
    announceNow();
    for (long offset : schedule.quickPullOffsetsMs()) {
      later(offset, () -> pullRound());
    }
    later(schedule.firstRegularPullMs(), this::pullLoop);
    later(schedule.nextAnnounceMs(), this::announceLoop);
    if (store != null) {
      later(Jitter.around(cfg.persistIntervalMs(), 0.1), this::saveLoop);
    }
  }

  private void announceLoop() {
    announceNow();
    later(schedule.nextAnnounceMs(), this::announceLoop);
  }

  private void pullLoop() {
    for (String gone : engine.expire()) {
      publishRemoved(gone);
    }
    pullRound();
    later(schedule.nextPullMs(), this::pullLoop);
  }

  private void saveLoop() {
    saveCache();
    later(Jitter.around(cfg.persistIntervalMs(), 0.1), this::saveLoop);
  }

  /** Runs {@code task} on this verticle's context after {@code delayMs} (at once for 0), unless stopping. */
  private void later(long delayMs, Runnable task) {
    if (stopping) {
      return;
    }
    if (delayMs <= 0) {
      context.runOnContext(v -> {
        if (!stopping) {
          task.run();
        }
      });
      return;
    }
    long[] id = new long[1];
    id[0] = vertx.setTimer(delayMs, t -> {
      timers.remove(id[0]);
      if (!stopping) {
        task.run();
      }
    });
    timers.add(id[0]);
  }

  // ---- announce ----

  /** A new version of our announce: persisted first (so it never goes backwards), then sent. */
  private void announceNow() {
    if (silent) {
      return;
    }
    Announce a = engine.announceSelf();
    if (a == null) {
      return;
    }
    Future<Void> persisted = store == null ? Future.succeededFuture() : store.saveOwnVer(a.ver())
        .recover(e -> {
          LOG.warn("{} op=gossip.own_ver_save ver={} err={}; announcements go on; check the disk holding data_dir",
              log, a.ver(), e.toString());
          return Future.succeededFuture();
        });
    persisted.onComplete(v -> {
      if (!stopping) {
        send(engine.announceTargets(a));
      }
    });
  }

  /** Public for the benchmark and tests: announce now, on this verticle's context. */
  public Future<Void> announceNowAsync() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      announceNow();
      p.complete();
    });
    return p.future();
  }

  // ---- pull ----

  private Future<Void> pullRound() {
    List<GossipEngine.Outgoing> pulls = engine.pullRound();
    Set<String> waiting = new HashSet<>();
    pulls.forEach(o -> waiting.add(o.to().toString()));
    Round r = new Round(waiting);
    if (waiting.isEmpty()) {
      r.done.complete();
      return r.done.future();
    }
    rounds.add(r);
    send(pulls);
    later(cfg.pullTimeoutMs() + 1, () -> pullsFinished(engine.expirePulls()));
    return r.done.future();
  }

  /**
   * Public for the benchmark and tests: one pull round now; completes when every pull of it has
   * had its last delta datagram or has timed out.
   */
  public Future<Void> pullNow() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> pullRound().onComplete(p));
    return p.future();
  }

  private void pullsFinished(List<String> endpoints) {
    if (endpoints.isEmpty()) {
      return;
    }
    for (Iterator<Round> it = rounds.iterator(); it.hasNext(); ) {
      Round r = it.next();
      r.waiting.removeAll(endpoints);
      if (r.waiting.isEmpty()) {
        it.remove();
        r.done.tryComplete();
      }
    }
  }

  // ---- inbound ----

  private void onDatagram(UdpDatagram d) {
    if (stopping || silent) {
      return;
    }
    GossipEngine.Result r = engine.onDatagram(WireRules.canonicalIp(d.host()), d.port(), d.data().getBytes());
    if (r.drop() != null && LOG.isDebugEnabled()) {
      LOG.debug("{} op=gossip.drop kind={} from={} reason={}", log, r.kind(), d.remote(), r.drop().code());
    }
    send(r.replies());
    for (String key : r.updated()) {
      publishUpdated(key);
    }
    pullsFinished(r.completed());
    if (engine.takeReannounce() && begun) {
      LOG.info("{} op=gossip.own_ver_jump ver={} (an earlier announce of ours came back)", log, engine.ownVer());
      announceNow();
    }
  }

  private void onHttp(Message<JsonObject> m) {
    JsonObject b = m.body();
    byte[] data = b == null ? null : b.getBinary("data");
    String ip = b == null ? null : b.getString("source_ip");
    if (data == null || ip == null || stopping || silent) {
      m.reply(new JsonObject().put("status", 503).put("body", new JsonObject().put("error", "unavailable")
          .put("message", "gossip is not running").encode()));
      return;
    }
    GossipEngine.HttpAnswer a = engine.onHttp(WireRules.canonicalIp(ip), data);
    m.reply(new JsonObject().put("status", a.status()).put("body", a.body()));
  }

  private void send(List<GossipEngine.Outgoing> out) {
    EventBus bus = vertx.eventBus();
    for (GossipEngine.Outgoing o : out) {
      engine.counters().add("bytes_sent", o.data().length);
      bus.send(udp.send(), new UdpDatagram(o.to().ip(), o.to().port(), Buffer.buffer(o.data())));
    }
  }

  // ---- the links ----

  private void onQuery(Message<JsonObject> m) {
    String key = m.body() == null ? null : m.body().getString("pubkey");
    PeerView v = key == null ? null : engine.table().view(key);
    if (v == null || v.endpoints().isEmpty()) {
      m.fail(404, new JsonObject().put("error", "not_found").put("message", "no endpoint known for that peer")
          .encode());
      return;
    }
    m.reply(v.toJson());
  }

  private void onResult(JsonObject b) {
    if (b == null || !(b.getValue("pubkey") instanceof String key) || !(b.getValue("endpoint") instanceof String ep)
        || !(b.getValue("ok") instanceof Boolean ok)) {
      engine.counters().increment("endpoint_results_malformed");
      return;
    }
    // "table": the endpoint came from us; if it has left the table since, it is not added back.
    Source source = b.getValue("source") instanceof String s ? Source.fromText(s) : Source.RELAY;
    try {
      if (engine.report(key, Endpoint.parse(ep), ok, source)) {
        engine.counters().increment(ok ? "endpoint_successes" : "endpoint_failures");
        publishUpdated(key);
      }
    } catch (WireException e) {
      engine.counters().increment("endpoint_results_malformed");
    }
  }

  private void publishUpdated(String key) {
    PeerView v = engine.table().view(key);
    if (v != null) {
      vertx.eventBus().publish(addresses.peerTableUpdated(), v.toJson());
    }
  }

  private void publishRemoved(String key) {
    vertx.eventBus().publish(addresses.peerTableUpdated(), new JsonObject().put("pubkey", key)
        .put("endpoints", new JsonArray()).put("removed", true));
  }

  // ---- status ----

  private JsonObject status(JsonObject request) {
    JsonArray own = new JsonArray();
    engine.ownEndpoints().forEach(e -> own.add(e.toString()));
    JsonObject s = new JsonObject().put("pubkey", identity.publicKeyHex()).put("ver", engine.ownVer())
        .put("endpoints", own).put("nat", engine.ownNat().wire()).put("started", begun)
        .put("peers", engine.table().size()).put("peer_endpoints", engine.table().endpointCount())
        .put("entries", engine.store().size()).put("watermark", engine.store().counter())
        .put("counters", engine.counters().toJson());
    if (request != null && request.getValue("pubkey") instanceof String key) {
      s.put("known_ver", engine.knownVer(key));
    }
    if (request != null && Boolean.TRUE.equals(request.getValue("table"))) {
      JsonArray t = new JsonArray();
      engine.table().snapshot().forEach(v -> t.add(v.toJson()));
      s.put("table", t);
    }
    return s;
  }

  /** The engine, for tests and the benchmark in the same JVM: touch it only on this verticle's context. */
  GossipEngine engine() {
    return engine;
  }

  // ---- the cache ----

  /** One save at a time; a save asked for while one runs is that one. */
  private Future<Void> saveCache() {
    if (store == null) {
      return Future.succeededFuture();
    }
    if (!lastSave.isComplete()) {
      return lastSave;
    }
    List<CachedEndpoint> rows = engine.table().bestForCache(cfg.cachePerPeer());
    lastSave = store.save(rows, engine.ownVer())
        .onSuccess(v -> LOG.debug("{} op=gossip.cache_save rows={}", log, rows.size()));
    return lastSave;
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    for (long id : timers) {
      vertx.cancelTimer(id);
    }
    timers.clear();
    for (Round r : rounds) {
      r.done.tryFail("gossip stopped");
    }
    rounds.clear();
    List<Future<Void>> closing = new ArrayList<>();
    for (MessageConsumer<?> c : consumers) {
      closing.add(c.unregister());
    }
    // The best endpoints are saved at shutdown too, after any save still running.
    Future<Void> saved = store == null ? Future.succeededFuture()
        : lastSave.otherwiseEmpty().compose(v -> saveCache()).otherwiseEmpty().compose(v -> store.close());
    closing.add(saved);
    LOG.info("{} op=gossip.stop peers={}", log, engine == null ? 0 : engine.table().size());
    return Future.join(closing);
  }
}
