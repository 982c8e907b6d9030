package org.kinmesh.node.link;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.node.Addresses;
import org.kinmesh.node.link.udp.UdpLinkPaths;
import org.kinmesh.node.relay.RelayedAddresses;
import org.kinmesh.punch.PunchVerticle;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer links, one WebSocket per authorized peer over TCP (the "direct_tcp" path;
 * UDP and relayed paths come later behind the same event-bus addresses). Accepts and dials,
 * verifies the signed hello both ways, keeps one link per peer (the one the lower key dialed
 * wins a race), retries failed dials with backoff and a per-peer circuit breaker, and drops
 * peers the moment they leave the authorized set. docs/links.md has the frame formats.
 */
public final class LinksVerticle extends VerticleBase implements LinkSession.Host {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  private static final int MAX_PENDING_HANDSHAKES = 64;
  /** ARCHITECTURE.md limits: at most 100 peers, 8 outbound network operations in flight. */
  static final int MAX_PEERS = 100;
  static final int MAX_DIALS_IN_FLIGHT = 8;
  /** Gossip answers from memory; a slow answer means it is not running. */
  private static final DeliveryOptions TABLE_ASK = new DeliveryOptions().setSendTimeout(2_000);

  private final LinkSettings settings;
  private final Identity identity;
  private final TimeSource clock;
  private final String self;
  private final String log;
  private final LinkCounters counters = new LinkCounters();
  private final Map<String, Peer> peers = new TreeMap<>();
  private final Set<LinkSession> sessions = new HashSet<>();
  private Set<String> authorized = Set.of();
  private long authorizedHeight = -1;
  private HttpServer server;
  private WebSocketClient client;
  private volatile int boundPort = -1;
  private boolean stopping;
  private long queryTimer = -1;
  private int queryFailures;
  private int dialsInFlight;
  private final PathPolicy policy;
  private final UdpAddresses udp;
  private UdpLinkPaths udpPaths;
  private long pathTimer = -1;
  private long pathTimerAt = Long.MAX_VALUE;
  /** Our relayed-traffic connection to the relay is up (every peer may be reachable through it). */
  private boolean relayConnected;
  /** After the relay said a peer is not connected there, wait this long before trying it again. */
  static final long RELAYED_RETRY_MS = 5_000;
  /** At most one call-me to a peer this often, and one honoured from it. */
  static final long CALL_ME_INTERVAL_MS = 2_000;
  /** Our public endpoint as STUN last saw it (null: unknown). */
  private Endpoint stunPublic;

  /**
   * @param clock wall clock for hello timestamps, last_seen and rate limits (a manual one in
   *     tests); backoff and breaker timing run on Vert.x timers and the monotonic clock
   */
  public LinksVerticle(LinkSettings settings, Identity identity, TimeSource clock) {
    this(settings, identity, clock, PathPolicy.AUTO, UdpAddresses.DEFAULT);
  }

  /**
   * @param policy which paths may carry traffic (force_relay / direct_only)
   * @param udp the addresses of the node's UdpTransport, for punched UDP paths
   */
  public LinksVerticle(LinkSettings settings, Identity identity, TimeSource clock, PathPolicy policy,
      UdpAddresses udp) {
    this.policy = policy;
    this.udp = udp;
    this.settings = settings;
    this.identity = identity;
    this.clock = clock;
    this.self = identity.publicKeyHex();
    this.log = "node=" + identity.shortId();
  }

  /** The TCP port links listen on; meaningful once start has completed. */
  public int boundPort() {
    return boundPort;
  }

  public LinkCounters counters() {
    return counters;
  }

  @Override
  public Future<?> start() {
    // Netty's own cap sits above ours, so an oversized frame reaches our check and is counted;
    // anything beyond twice the limit is cut off by Netty before it is buffered.
    int hardCap = settings.maxFrameBytes() * 2;
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setConnectTimeout((int) settings.connectTimeoutMillis())
        .setMaxFrameSize(hardCap).setMaxMessageSize(hardCap));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.listenHost()).setPort(settings.port())
            .setMaxWebSocketFrameSize(hardCap).setMaxWebSocketMessageSize(hardCap))
        .webSocketHandshakeHandler(this::onHandshake)
        .webSocketHandler(this::onAccepted)
        .requestHandler(req -> req.response().setStatusCode(404).end());
    var bus = vertx.eventBus();
    List<Future<Void>> ready = new ArrayList<>();
    ready.add(bus.<JsonObject>consumer(Addresses.AUTHORIZED_SET, m -> applyAuthorized(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(Addresses.LINKS_SEND, this::onSend).completion());
    ready.add(bus.<JsonObject>consumer(Addresses.LINKS_BROADCAST, this::onBroadcast).completion());
    ready.add(bus.<Object>consumer(Addresses.PEERS_STATUS, m -> m.reply(status())).completion());
    udpPaths = new UdpLinkPaths(new UdpSink());
    ready.add(bus.<JsonObject>consumer(PunchVerticle.PATH, m -> onPunchedPath(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(RelayedAddresses.STATE, m -> onRelayState(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(Addresses.STUN_STATE, m -> onStunState(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(Addresses.PEER_TABLE_UPDATED, m -> onPeerTable(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(RelayedAddresses.INBOUND, m -> onRelayedInbound(m.body())).completion());
    ready.add(bus.<JsonObject>consumer(RelayedAddresses.UNDELIVERABLE, m -> onUndeliverable(m.body())).completion());
    ready.add(bus.<UdpDatagram>consumer(udp.inbound(DatagramKind.LINK), m -> {
      UdpDatagram d = m.body();
      udpPaths.onDatagram(new Endpoint(WireRules.canonicalIp(d.host()), d.port()), d.data(), System.nanoTime());
      armPathTimer();
    }).completion());
    return Future.all(ready).compose(v -> server.listen()).onSuccess(s -> {
      boundPort = s.actualPort();
      LOG.info("{} op=links.start listening on {}:{}", log, settings.listenHost(), boundPort);
      queryAuthorized();
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (queryTimer >= 0) {
      vertx.cancelTimer(queryTimer);
    }
    if (pathTimer >= 0) {
      vertx.cancelTimer(pathTimer);
    }
    for (Peer p : peers.values()) {
      cancelTimer(p);
    }
    for (LinkSession s : new ArrayList<>(sessions)) {
      s.close((short) 1001, "going_away");
    }
    return Future.join(server.close(), client.close());
  }

  // ---- authorized set ----

  /** Asks the ledger for the set until it answers or publishes one (it may start after us). */
  private void queryAuthorized() {
    queryTimer = -1;
    if (stopping || authorizedHeight >= 0) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.AUTHORIZED_SET_QUERY, new JsonObject(),
        new DeliveryOptions().setSendTimeout(5_000)).onComplete(ar -> {
          if (ar.succeeded()) {
            applyAuthorized(ar.result().body());
          } else if (!stopping && authorizedHeight < 0) {
            queryFailures++;
            queryTimer = vertx.setTimer(Jitter.around(settings.retryBackoff().delayMillis(queryFailures), 0.1),
                id -> queryAuthorized());
          }
        });
  }

  private void applyAuthorized(JsonObject body) {
    if (stopping || body == null || !(body.getValue("keys") instanceof JsonArray keys)) {
      return;
    }
    long height = body.getValue("height") instanceof Number n ? n.longValue() : 0;
    if (height < authorizedHeight) {
      return;
    }
    authorizedHeight = height;
    Set<String> next = new HashSet<>();
    for (Object k : keys) {
      if (k instanceof String s && WireRules.isPublicKeyHex(s)) {
        next.add(s);
      }
    }
    authorized = Set.copyOf(next);
    for (String gone : new ArrayList<>(peers.keySet())) {
      if (!next.contains(gone)) {
        deauthorize(peers.remove(gone));
      }
    }
    for (LinkSession s : new ArrayList<>(sessions)) {
      if (s.peerKey() != null && !next.contains(s.peerKey())) {
        s.close((short) 1008, Rejection.DEAUTHORIZED.code());
      }
    }
    for (String k : next) {
      if (!k.equals(self) && !peers.containsKey(k)) {
        if (peers.size() >= MAX_PEERS) {
          counters.increment("peer_limit");
          LOG.warn("{} op=links.authorized peer={} not linked: at most {} peers", log, KeyIds.shortId(k), MAX_PEERS);
          continue;
        }
        Peer p = new Peer(k, settings.breakerThreshold(), settings.breakerCoolDown(), policy);
        peers.put(k, p);
        if (relayConnected) {
          p.selector.up(PathKind.RELAYED, monotonicMillis());
        }
        dial(p);
      }
    }
  }

  private void deauthorize(Peer p) {
    cancelTimer(p);
    udpPaths.close(p.key);
    vertx.eventBus().send(PunchVerticle.STOP, new JsonObject().put("peer", p.key));
    if (p.session != null) {
      LinkSession s = p.session;
      p.session = null;
      counters.increment(Rejection.DEAUTHORIZED);
      LOG.info("{} op=link.deauthorize peer={} closing its link", log, KeyIds.shortId(p.key));
      s.close((short) 1008, Rejection.DEAUTHORIZED.code());
      publishEvent(p, "down", "deauthorized");
    }
  }

  // ---- accepting ----

  private void onHandshake(ServerWebSocketHandshake hs) {
    String challenge = hs.headers().get(LinkSettings.CHALLENGE_HEADER);
    if (!LinkSettings.PATH.equals(hs.path()) || !Hex.isLowerHex(challenge, 32)) {
      counters.increment(Rejection.MALFORMED);
      LOG.info("{} op=link.accept from={} reason=malformed (path or challenge header)", log, hs.remoteAddress());
      hs.reject(400);
      return;
    }
    if (stopping || sessions.size() >= MAX_PENDING_HANDSHAKES + peers.size()) {
      counters.increment("too_many_connections");
      hs.reject(503);
      return;
    }
    hs.accept();
  }

  private void onAccepted(ServerWebSocket ws) {
    String challenge = ws.headers().get(LinkSettings.CHALLENGE_HEADER);
    sessions.add(LinkSession.accepted(vertx, this, ws, challenge, settings, clock));
  }

  // ---- dialing ----

  private void dial(Peer p) {
    p.timer = -1;
    if (stopping || p.session != null || p.dialing || peers.get(p.key) != p) {
      return;
    }
    if (!p.breaker.allow(monotonicMillis())) {
      setState(p, PeerState.UNREACHABLE);
      schedule(p, Math.max(1, p.breaker.openUntilMillis() - monotonicMillis()));
      return;
    }
    if (dialsInFlight >= MAX_DIALS_IN_FLIGHT) {
      // Not the peer's fault: wait for a slot without touching its circuit.
      schedule(p, Jitter.around(settings.retryBackoff().delayMillis(1), 0.5));
      return;
    }
    p.dialing = true;
    dialsInFlight++;
    setState(p, PeerState.CONNECTING);
    endpoint(p).compose(ep -> connect(p, ep)).onComplete(ar -> {
      p.dialing = false;
      dialsInFlight--;
      if (ar.succeeded()) {
        reportEndpoint(p, true);
      }
      if (stopping || peers.get(p.key) != p || p.session != null) {
        return;
      }
      if (ar.failed()) {
        dialFailed(p, ar.cause());
      }
    });
  }

  /**
   * The peer table first (gossip's best endpoint), then the relay (docs/gossip.md). After a
   * failed table endpoint the next dial asks the relay once, so a stale table cannot hide a
   * peer the relay knows; every outcome goes back to the table's scores.
   */
  private Future<String[]> endpoint(Peer p) {
    p.dialed = null;
    if (p.skipTable) {
      p.skipTable = false;
      return relayEndpoint(p);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.PEER_TABLE_QUERY, new JsonObject().put("pubkey", p.key),
        TABLE_ASK).map(m -> {
          JsonArray eps = m.body().getJsonArray("endpoints");
          JsonObject best = eps == null || eps.isEmpty() ? null : eps.getJsonObject(0);
          String ip = best == null ? null : best.getString("ip");
          Integer port = best == null ? null : best.getInteger("port");
          if (!WireRules.isIp(ip) || port == null || !WireRules.isPort(port)) {
            throw new IllegalStateException("peer table gave no usable endpoint");
          }
          p.dialed = new org.kinmesh.wire.gossip.Endpoint(ip, port).toString();
          p.dialedFromTable = true;
          return new String[] {ip, Integer.toString(port)};
        }).recover(e -> relayEndpoint(p));
  }

  private void reportEndpoint(Peer p, boolean ok) {
    if (p.dialed != null) {
      vertx.eventBus().send(Addresses.PEER_ENDPOINT_RESULT, new JsonObject().put("pubkey", p.key)
          .put("endpoint", p.dialed).put("ok", ok).put("source", p.dialedFromTable ? "table" : "relay"));
    }
  }

  /** The peer's endpoint from the relay, cached for lookup_cache_secs; forgotten after a failed dial. */
  private Future<String[]> relayEndpoint(Peer p) {
    p.dialedFromTable = false;
    if (p.endpoint != null && monotonicMillis() < p.endpointUntilMillis) {
      p.dialed = p.endpoint;
      return Future.succeededFuture(split(p.endpoint));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.RELAY_LOOKUP, new JsonObject().put("pubkey", p.key),
        new DeliveryOptions().setSendTimeout(settings.lookupTimeoutMillis())).map(m -> {
          JsonObject b = m.body();
          String ip = b.getString("ip");
          Integer port = b.getInteger("port");
          if (!WireRules.isIp(ip) || port == null || !WireRules.isPort(port)) {
            throw new IllegalStateException("relay lookup gave no usable endpoint");
          }
          p.endpoint = new org.kinmesh.wire.gossip.Endpoint(ip, port).toString();
          p.endpointUntilMillis = monotonicMillis() + settings.lookupCacheMillis();
          p.dialed = p.endpoint;
          punch(p);
          return new String[] {ip, Integer.toString(port)};
        });
  }

  private static String[] split(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new String[] {host, endpoint.substring(colon + 1)};
  }

  private Future<LinkSession> connect(Peer p, String[] ep) {
    String challenge = Hello.newChallenge();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(ep[0]).setPort(Integer.parseInt(ep[1]))
        .setURI(LinkSettings.PATH).addHeader(LinkSettings.CHALLENGE_HEADER, challenge)
        .setTimeout(settings.connectTimeoutMillis());
    // The session's handlers go on before the upgrade: the acceptor's hello can arrive in the
    // same read as its 101 answer, before the connect future completes, and must not be missed.
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    LinkSession s = LinkSession.dialed(vertx, this, ws, p.key, challenge, settings, clock);
    sessions.add(s);
    return ws.connect(options).compose(v -> {
      if (stopping || peers.get(p.key) != p) {
        s.close((short) 1001, "going_away");
        return Future.failedFuture("stopped or deauthorized while dialing");
      }
      return s.opened();
    }, err -> {
      s.abandon();
      sessions.remove(s);
      return Future.failedFuture(err);
    });
  }

  private void dialFailed(Peer p, Throwable err) {
    if (err instanceof LinkSession.LinkClosed closed && Rejection.DUPLICATE.code().equals(closed.reason)) {
      return; // the other direction's link won; nothing failed
    }
    reportEndpoint(p, false);
    if (p.dialedFromTable) {
      p.skipTable = true;
    } else {
      p.endpoint = null; // the peer may have moved: ask the relay again next time
    }
    p.lastError = err.getMessage();
    p.breaker.failure(monotonicMillis());
    int failures = p.breaker.consecutiveFailures();
    if (p.breaker.state() == org.kinmesh.net.CircuitBreaker.State.OPEN) {
      if (p.state != PeerState.UNREACHABLE) {
        LOG.warn("{} op=link.dial peer={} unreachable after {} consecutive failures; last: {}", log,
            KeyIds.shortId(p.key), failures, err.getMessage());
      }
      setState(p, PeerState.UNREACHABLE);
      schedule(p, Math.max(1, p.breaker.openUntilMillis() - monotonicMillis()));
    } else {
      LOG.debug("{} op=link.dial peer={} failure={} error={}", log, KeyIds.shortId(p.key), failures, err.getMessage());
      setState(p, PeerState.BACKOFF);
      schedule(p, Jitter.around(settings.retryBackoff().delayMillis(failures), 0.1));
    }
  }

  private void schedule(Peer p, long delayMillis) {
    cancelTimer(p);
    p.timer = vertx.setTimer(delayMillis, id -> dial(p));
  }

  private void cancelTimer(Peer p) {
    if (p.timer >= 0) {
      vertx.cancelTimer(p.timer);
      p.timer = -1;
    }
  }

  private static long monotonicMillis() {
    return System.nanoTime() / 1_000_000L;
  }

  // ---- LinkSession.Host ----

  @Override
  public String self() {
    return self;
  }

  @Override
  public HelloCheck helloCheck(LinkSession s, String expectedKey, String expectedPeerField) {
    return new HelloCheck(settings.blockchainId(), self, expectedKey == null ? Hello.DIAL : Hello.ACCEPT, expectedKey,
        expectedPeerField, s.myChallenge(), clock.nowSeconds(), settings.freshnessSecs(), authorized);
  }

  @Override
  public Hello hello(String role, String peerField, String nonce, String challenge) {
    return Hello.sign(identity, role, settings.blockchainId(), peerField, clock.nowSeconds(), nonce, challenge);
  }

  /** One link per peer: a new one replaces the current only when the lower key dialed it. */
  @Override
  public Optional<Rejection> adopt(LinkSession s) {
    Peer p = peers.get(s.peerKey());
    if (p == null || stopping) {
      // Authorized but over the peer limit, or we are stopping.
      return Optional.of(Rejection.UNAUTHORIZED);
    }
    if (p.session != null) {
      if (!preferred(s) || preferred(p.session)) {
        return Optional.of(Rejection.DUPLICATE);
      }
      LinkSession old = p.session;
      p.session = s;
      old.retire();
      return Optional.empty();
    }
    p.session = s;
    p.breaker.success();
    p.lastError = null;
    cancelTimer(p);
    p.state = PeerState.CONNECTED;
    LOG.info("{} op=link.up peer={} direction={} remote={}", log, KeyIds.shortId(p.key),
        s.dialedBySelf() ? "out" : "in", s.remoteAddress());
    p.selector.up(PathKind.DIRECT_TCP, monotonicMillis());
    p.heardSinceDown = true;
    reselect(p);
    return Optional.empty();
  }

  private boolean preferred(LinkSession s) {
    String lower = self.compareTo(s.peerKey()) < 0 ? self : s.peerKey();
    return (s.dialedBySelf() ? self : s.peerKey()).equals(lower);
  }

  @Override
  public boolean authorized(String key) {
    return authorized.contains(key);
  }

  @Override
  public void inbound(LinkSession s, String payload) {
    Peer p = peers.get(s.peerKey());
    if (p != null && p.session == s) {
      p.selector.heard(PathKind.DIRECT_TCP, monotonicMillis(), -1);
      p.heardSinceDown = true;
    }
    if (CallMe.isControl(payload)) {
      if (p != null) {
        onControl(p, payload);
      }
      return;
    }
    vertx.eventBus().publish(Addresses.LINKS_INBOUND, new JsonObject().put("from", s.peerKey()).put("payload", payload));
  }

  @Override
  public void closed(LinkSession s) {
    sessions.remove(s);
    Peer p = s.peerKey() == null ? null : peers.get(s.peerKey());
    if (p == null || p.session != s) {
      return;
    }
    p.session = null;
    p.lastSeenSecs = s.lastSeenSecs();
    p.selector.down(PathKind.DIRECT_TCP, monotonicMillis());
    reselect(p);
    LOG.info("{} op=link.down peer={}", log, KeyIds.shortId(p.key));
    if (stopping) {
      return;
    }
    // Not a failure of the peer's circuit: reconnect after the first backoff step.
    p.state = PeerState.BACKOFF;
    reselect(p);
    schedule(p, Jitter.around(settings.retryBackoff().delayMillis(1), 0.1));
  }

  @Override
  public void rejected(LinkSession s, Rejection r, String detail) {
    counters.increment(r);
    if (r == Rejection.RATE_LIMITED || r == Rejection.TOO_LARGE && s.isOpen()) {
      LOG.debug("{} op=link.drop peer={} reason={} {}", log, KeyIds.shortId(s.peerKey()), r.code(), detail);
    } else {
      LOG.info("{} op=link.reject peer={} direction={} reason={} {}", log, KeyIds.shortId(s.peerKey()),
          s.dialedBySelf() ? "out" : "in", r.code(), detail);
    }
  }

  // ---- event bus ----

  private void onSend(Message<JsonObject> m) {
    JsonObject b = m.body();
    String to = b == null ? null : b.getValue("to") instanceof String s ? s : null;
    String payload = b == null ? null : b.getValue("payload") instanceof String s ? s : null;
    Peer p = to == null ? null : peers.get(to);
    if (payload == null || p == null) {
      counters.increment("send_not_connected");
      return;
    }
    route(p, payload);
  }

  /** Sends on the peer's chosen path; falls back along the others when that one refuses. */
  private void route(Peer p, String payload) {
    long now = monotonicMillis();
    PathKind chosen = reselect(p);
    if (chosen == PathKind.DIRECT_UDP && udpPaths.send(p.key, payload, System.nanoTime())) {
      armPathTimer();
      return;
    }
    if ((chosen == PathKind.DIRECT_TCP || chosen == PathKind.DIRECT_UDP) && policy != PathPolicy.FORCE_RELAY
        && p.session != null && p.session.isOpen()) {
      if (!p.session.send(payload)) {
        counters.increment("send_refused");
      }
      return;
    }
    if (chosen != PathKind.NONE && policy != PathPolicy.DIRECT_ONLY && p.selector.isUp(PathKind.RELAYED)) {
      vertx.eventBus().send(RelayedAddresses.SEND, new JsonObject().put("to", p.key).put("payload", payload));
      return;
    }
    counters.increment(chosen == PathKind.NONE ? "send_not_connected" : "send_refused");
  }

  private void onBroadcast(Message<JsonObject> m) {
    String payload = m.body() != null && m.body().getValue("payload") instanceof String s ? s : null;
    if (payload == null) {
      counters.increment("send_malformed");
      return;
    }
    for (Peer p : peers.values()) {
      route(p, payload);
    }
  }

  private void setState(Peer p, PeerState next) {
    if (p.state != next) {
      p.state = next;
      publishEvent(p, "state", null);
    }
  }

  private void publishEvent(Peer p, String event, String reason) {
    JsonObject e = new JsonObject().put("pubkey", p.key).put("event", event).put("state", stateText(p))
        .put("path", p.selector.active().text()).put("why", p.selector.reason());
    if (reason != null) {
      e.put("reason", reason);
    }
    vertx.eventBus().publish(Addresses.PEERS_EVENTS, e);
  }

  // ---- punched UDP paths ----

  /** Asks the Punch verticle for a direct UDP path to the peer at its known endpoints. */
  private void punch(Peer p) {
    punch(p, p.endpoint == null ? List.of() : List.of(p.endpoint));
  }

  /**
   * Starts (or hurries) a punch toward these endpoints of the peer and, over a path that works,
   * asks the peer to punch back at the same time.
   */
  private void punch(Peer p, List<String> endpoints) {
    if (stopping || policy == PathPolicy.FORCE_RELAY || udpPaths.has(p.key) || endpoints.isEmpty()) {
      return;
    }
    vertx.eventBus().request(PunchVerticle.START, new JsonObject().put("peer", p.key)
        .put("endpoints", new JsonArray(new ArrayList<>(endpoints)))).onFailure(e ->
        LOG.debug("{} op=link.punch peer={} not started: {}", log, KeyIds.shortId(p.key), e.getMessage()));
    callMe(p);
  }

  private void callMe(Peer p) {
    long now = monotonicMillis();
    List<Endpoint> mine = ownCandidates();
    if (mine.isEmpty() || now - p.lastCallMeSent < CALL_ME_INTERVAL_MS) {
      return;
    }
    boolean viaTcp = p.session != null && p.session.isOpen();
    boolean viaRelay = !viaTcp && relayConnected && p.selector.isUp(PathKind.RELAYED);
    if (!viaTcp && !viaRelay) {
      return;
    }
    p.lastCallMeSent = now;
    String msg = new CallMe(mine).encode();
    if (viaTcp) {
      p.session.send(msg);
    } else {
      vertx.eventBus().send(RelayedAddresses.SEND, new JsonObject().put("to", p.key).put("payload", msg));
    }
  }

  /** Where a peer may reach our UDP socket: STUN's public endpoint, then the address we listen on. */
  private List<Endpoint> ownCandidates() {
    List<Endpoint> out = new ArrayList<>(2);
    if (stunPublic != null) {
      out.add(stunPublic);
    }
    String host = settings.listenHost();
    if (!host.equals("0.0.0.0") && !host.equals("::") && WireRules.isIp(host)) {
      out.add(new Endpoint(WireRules.canonicalIp(host), boundPort));
    }
    return out;
  }

  /** Gossip learned a peer's endpoints: punch toward all of them (the best first) while no UDP path exists. */
  private void onPeerTable(JsonObject b) {
    Peer p = b == null ? null : peers.get(b.getString("pubkey"));
    if (p == null) {
      return;
    }
    if (b.getValue("nat") instanceof String nat) {
      p.nat = nat;
    }
    List<String> eps = new ArrayList<>();
    if (b.getValue("endpoints") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject e && e.getValue("endpoint") instanceof String ep) {
          eps.add(ep);
        }
      }
    }
    if (!udpPaths.has(p.key)) {
      punch(p, eps);
    }
  }

  private void onStunState(JsonObject b) {
    if (b != null && b.getValue("public_ip") instanceof String ip && b.getValue("public_port") instanceof Integer port
        && WireRules.isIp(ip) && WireRules.isPort(port)) {
      stunPublic = new Endpoint(WireRules.canonicalIp(ip), port);
    }
  }

  /** A link control message from an authenticated peer (TCP hello, or the relay's verified sender). */
  private void onControl(Peer p, String payload) {
    long now = monotonicMillis();
    CallMe call;
    try {
      call = CallMe.parse(payload);
    } catch (org.kinmesh.wire.WireException e) {
      counters.increment("control_malformed");
      return;
    }
    if (now - p.lastCallMeHonoured < CALL_ME_INTERVAL_MS || policy == PathPolicy.FORCE_RELAY) {
      counters.increment("control_ignored");
      return;
    }
    p.lastCallMeHonoured = now;
    List<String> eps = new ArrayList<>();
    call.endpoints().forEach(e -> eps.add(e.toString()));
    if (p.endpoint != null && !eps.contains(p.endpoint)) {
      eps.add(p.endpoint);
    }
    LOG.debug("{} op=link.call_me peer={} endpoints={}", log, KeyIds.shortId(p.key), eps);
    vertx.eventBus().request(PunchVerticle.START, new JsonObject().put("peer", p.key)
        .put("endpoints", new JsonArray(eps))).onFailure(e ->
        LOG.debug("{} op=link.punch peer={} not started: {}", log, KeyIds.shortId(p.key), e.getMessage()));
  }

  private void onPunchedPath(JsonObject b) {
    Peer p = b == null ? null : peers.get(b.getString("peer"));
    if (p == null || stopping) {
      return;
    }
    try {
      Endpoint ep = Endpoint.parse(b.getString("endpoint"));
      boolean changed = udpPaths.open(p.key, ep, System.nanoTime());
      long rtt = b.getLong("rtt_ms", -1L);
      p.selector.up(PathKind.DIRECT_UDP, monotonicMillis());
      p.selector.heard(PathKind.DIRECT_UDP, monotonicMillis(), rtt);
      p.heardSinceDown = true;
      if (changed) {
        LOG.info("{} op=link.udp_up peer={} endpoint={} rtt_ms={}", log, KeyIds.shortId(p.key), ep, rtt);
      }
      reselect(p);
      armPathTimer();
    } catch (org.kinmesh.wire.WireException | RuntimeException e) {
      LOG.warn("{} op=link.udp_up bad path event: {}", log, e.getMessage());
    }
  }

  // ---- relayed path ----

  private void onRelayState(JsonObject b) {
    boolean connected = b != null && Boolean.TRUE.equals(b.getBoolean("connected"));
    if (connected == relayConnected) {
      return;
    }
    relayConnected = connected;
    long now = monotonicMillis();
    for (Peer p : peers.values()) {
      if (connected && now >= p.relayedRetryAt) {
        p.selector.up(PathKind.RELAYED, now);
      } else if (!connected) {
        p.selector.down(PathKind.RELAYED, now);
      }
      reselect(p);
    }
  }

  private void onRelayedInbound(JsonObject b) {
    String from = b == null ? null : b.getString("from");
    String payload = b == null ? null : b.getString("payload");
    Peer p = from == null ? null : peers.get(from);
    if (p == null || payload == null || !authorized.contains(from)) {
      counters.increment("relayed_unknown_sender");
      return;
    }
    p.relayedRetryAt = 0;
    p.selector.heard(PathKind.RELAYED, monotonicMillis(), -1);
    p.heardSinceDown = true;
    reselect(p);
    if (CallMe.isControl(payload)) {
      onControl(p, payload);
      return;
    }
    vertx.eventBus().publish(Addresses.LINKS_INBOUND, new JsonObject().put("from", from).put("payload", payload));
  }

  /** The relay could not forward a frame: a peer not connected there is not reachable that way for now. */
  private void onUndeliverable(JsonObject b) {
    String to = b == null ? null : b.getString("to");
    String reason = b == null ? "unknown" : b.getString("reason", "unknown");
    counters.increment("relayed_" + reason);
    Peer p = to == null ? null : peers.get(to);
    if (p != null && "not_connected".equals(reason)) {
      p.relayedRetryAt = monotonicMillis() + RELAYED_RETRY_MS;
      p.selector.down(PathKind.RELAYED, monotonicMillis());
      reselect(p);
      armPathTimer();
    }
  }

  /**
   * Re-evaluates the peer's path; publishes a path event when it changed, "up" when the peer
   * became reachable (some path works and the peer was heard on one since it was last down) and
   * "down" when no path is left. Consensus counts responding peers by these two.
   */
  private PathKind reselect(Peer p) {
    PathKind before = p.selector.active();
    PathKind now = p.selector.choose(monotonicMillis());
    if (now != before) {
      LOG.info("{} op=link.path peer={} {} -> {} ({})", log, KeyIds.shortId(p.key), before.text(), now.text(),
          p.selector.reason());
      publishEvent(p, "path", p.selector.reason());
    }
    if (now != PathKind.NONE && p.heardSinceDown && !p.reachable) {
      p.reachable = true;
      p.state = PeerState.CONNECTED;
      publishEvent(p, "up", null);
    } else if (now != before && now != PathKind.NONE && p.reachable) {
      // Traffic moved to another path: what was in flight on the old one (relayed frames have
      // no acknowledgements) may be lost, so say "up" again and let consensus resend its votes.
      publishEvent(p, "up", "path changed");
    } else if (now == PathKind.NONE && p.reachable) {
      p.reachable = false;
      p.heardSinceDown = false;
      if (p.state == PeerState.CONNECTED) {
        p.state = PeerState.BACKOFF;
      }
      publishEvent(p, "down", p.selector.reason());
    }
    return now;
  }

  /** One timer for every UDP path's retransmissions and heartbeats and every direct path's silence check. */
  private void armPathTimer() {
    if (stopping) {
      return;
    }
    long nextNanos = udpPaths.tick(System.nanoTime());
    long nowMillis = monotonicMillis();
    long next = nextNanos == Long.MAX_VALUE ? Long.MAX_VALUE : nextNanos / 1_000_000L + 1;
    for (Peer p : peers.values()) {
      next = Math.min(next, p.selector.nextSilenceDeadline());
      if (relayConnected && !p.selector.isUp(PathKind.RELAYED) && p.relayedRetryAt > 0) {
        next = Math.min(next, p.relayedRetryAt);
      }
    }
    if (next == Long.MAX_VALUE || (pathTimer >= 0 && pathTimerAt <= next)) {
      return;
    }
    if (pathTimer >= 0) {
      vertx.cancelTimer(pathTimer);
    }
    pathTimerAt = next;
    pathTimer = vertx.setTimer(Math.max(1, next - nowMillis), id -> {
      pathTimer = -1;
      pathTimerAt = Long.MAX_VALUE;
      long t = monotonicMillis();
      for (Peer p : peers.values()) {
        if (relayConnected && !p.selector.isUp(PathKind.RELAYED) && t >= p.relayedRetryAt) {
          p.relayedRetryAt = 0;
          p.selector.up(PathKind.RELAYED, t);
        }
        reselect(p);
      }
      armPathTimer();
    });
  }

  /** Results of the UDP paths, on this verticle's event loop. */
  private final class UdpSink implements UdpLinkPaths.Sink {
    @Override
    public void datagram(Endpoint to, io.vertx.core.buffer.Buffer data) {
      vertx.eventBus().send(udp.send(), new UdpDatagram(to.ip(), to.port(), data));
    }

    @Override
    public void delivered(String peer, String payload) {
      if (!authorized.contains(peer)) {
        counters.increment(Rejection.DEAUTHORIZED);
        return;
      }
      vertx.eventBus().publish(Addresses.LINKS_INBOUND, new JsonObject().put("from", peer).put("payload", payload));
    }

    @Override
    public void heard(String peer, long rttNanos) {
      Peer p = peers.get(peer);
      if (p != null) {
        p.selector.heard(PathKind.DIRECT_UDP, monotonicMillis(), rttNanos < 0 ? -1 : rttNanos / 1_000_000L);
        if (!p.heardSinceDown) {
          p.heardSinceDown = true;
          reselect(p);
        }
      }
    }

    @Override
    public void failed(String peer, List<byte[]> unacknowledged) {
      Peer p = peers.get(peer);
      counters.increment("udp_path_failed");
      if (p == null) {
        return;
      }
      p.selector.down(PathKind.DIRECT_UDP, monotonicMillis());
      LOG.info("{} op=link.udp_down peer={} moving {} unacknowledged messages", log, KeyIds.shortId(peer),
          unacknowledged.size());
      reselect(p);
      for (byte[] m : unacknowledged) {
        route(p, new String(m, java.nio.charset.StandardCharsets.UTF_8));
      }
      punch(p);
    }
  }

  /** "connected" while the peer is reachable on any path; else what the TCP dialing is doing. */
  private static String stateText(Peer p) {
    return p.reachable ? PeerState.CONNECTED.text() : p.state.text();
  }

  private JsonObject status() {
    JsonArray list = new JsonArray();
    for (Peer p : peers.values()) {
      boolean up = p.session != null && p.session.isOpen();
      PathKind path = p.selector.active();
      Endpoint udpEndpoint = udpPaths.endpoint(p.key);
      // The address traffic goes to; through the relay that is the relay's business, not the peer's.
      String endpoint = path == PathKind.RELAYED || path == PathKind.NONE ? null
          : path == PathKind.DIRECT_UDP && udpEndpoint != null ? udpEndpoint.toString()
          : up ? p.session.remoteAddress() : p.dialed != null ? p.dialed : p.endpoint;
      long rtt = path == PathKind.DIRECT_UDP ? udpPaths.rttMillis(p.key) : p.selector.rttMillis(path);
      long seen = p.lastSeen();
      list.add(new JsonObject().put("pubkey", p.key).put("path", path.text()).put("why", p.selector.reason())
          .put("rtt_ms", rtt < 0 ? null : rtt).put("endpoint", endpoint)
          .put("nat", p.nat).put("last_seen", seen < 0 ? null : seen).put("state", stateText(p))
          .put("direction", up ? (p.session.dialedBySelf() ? "out" : "in") : null)
          .put("failures", p.breaker.consecutiveFailures()).put("last_error", p.lastError));
    }
    JsonObject rejections = new JsonObject();
    counters.snapshot().forEach(rejections::put);
    return new JsonObject().put("peers", list).put("rejections", rejections);
  }
}
