package org.kinmesh.relay.forward;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.relay.RelayDirectory;
import org.kinmesh.util.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relayed traffic on the relay (docs/relay.md, "Relayed traffic"): who is connected, one
 * connection per (blockchain, key), and the forwarding of SEND frames between authorized keys
 * of one blockchain. Connections are kept per blockchain, so a frame can only ever reach a key
 * connected for the sender's own blockchain. Shared by every HTTP event loop; thread-safe.
 *
 * <p>Forwarding runs on the sender's event loop and writes straight to the receiver's socket
 * (Vert.x 5 WebSocket writes are thread-safe). Each receiver has a bounded queue: the relay
 * counts the bytes it accepted for that receiver and not yet written (each write's future
 * completes once Netty has written it), and drops a frame, telling the sender and counting it
 * as queue_full, when they would pass the bound. A full receiver never pauses its senders (no
 * drain handler): that would stall their frames to every other peer.
 */
public final class ForwardHub {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardHub.class);

  private final ForwardSettings settings;
  private final ConnectCheck.Members members;
  private final TimeSource clock;
  private final long freshnessSecs;
  private final ForwardMetrics metrics;
  private final Map<String, Map<KeyBytes, ForwardSession>> chains = new ConcurrentHashMap<>();
  /** Rate buckets per blockchain/key: a new connection of the key inherits them. */
  private final Map<String, RateBuckets> buckets = new ConcurrentHashMap<>();
  /** Every connection from the upgrade to its end (handshaking or open). */
  private final Set<ForwardSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean stopping;

  public ForwardHub(ForwardSettings settings, ConnectCheck.Members members, MeterRegistry registry, TimeSource clock,
      long freshnessSecs) {
    this.settings = settings;
    this.members = members;
    this.clock = clock;
    this.freshnessSecs = freshnessSecs;
    this.metrics = new ForwardMetrics(registry, open);
  }

  /** The relay's directory as the hub sees it: which blockchains exist, which keys are authorized now. */
  public static ConnectCheck.Members members(RelayDirectory directory) {
    return new ConnectCheck.Members() {
      @Override
      public boolean knows(String blockchainId) {
        return directory.chain(blockchainId) != null;
      }

      @Override
      public boolean authorized(String blockchainId, String key) {
        RelayDirectory.Chain c = directory.chain(blockchainId);
        return c != null && c.isAuthorized(key);
      }
    };
  }

  public ForwardSettings settings() {
    return settings;
  }

  /** Open (authenticated) connections. */
  public int openConnections() {
    return open.get();
  }

  /** Whether one more connection may start its handshake. */
  boolean admits() {
    return !stopping && sessions.size() < settings.maxConnections();
  }

  /** Starts the handshake on a freshly upgraded WebSocket; call on its event loop. */
  void attach(Vertx vertx, ServerWebSocket ws) {
    sessions.add(new ForwardSession(vertx, this, ws, settings));
  }

  Optional<CloseReason> check(String nonce, ConnectAuth auth) {
    return new ConnectCheck(nonce, clock.nowSeconds(), freshnessSecs, members).check(auth);
  }

  void refused(ForwardSession s, CloseReason reason, String detail) {
    metrics.connect(reason.code());
    LOG.debug("op=relayed.connect from={} refused={} {}", s.remoteAddress(), reason.code(), detail);
  }

  /** An upgrade refused before the handshake started (rate limit, connection cap). */
  void refusedUpgrade(String outcome) {
    metrics.connect(outcome);
  }

  /**
   * Makes an authenticated session the key's connection for its blockchain, closing the one it
   * replaces. False when the key lost its authorization meanwhile (the caller then closes it).
   */
  boolean adopt(ForwardSession s) {
    Map<KeyBytes, ForwardSession> peers = chains.computeIfAbsent(s.chainId, k -> new ConcurrentHashMap<>());
    s.peers = peers;
    s.buckets = buckets.computeIfAbsent(s.chainId + '/' + s.keyHex,
        k -> new RateBuckets(settings.framesPerSec(), settings.bytesPerSec(), clock));
    open.incrementAndGet();
    ForwardSession old = peers.put(s.key, s);
    metrics.connect("ok");
    LOG.info("op=relayed.connect bc={} key={} from={}{}", s.chainId, KeyIds.shortId(s.keyHex), s.remoteAddress(),
        old == null ? "" : " replacing its previous connection");
    if (old != null) {
      old.closeSoon(CloseReason.REPLACED);
    }
    // A removal that ran between the check and the put above did not see this session; look again.
    return members.authorized(s.chainId, s.keyHex) && !stopping;
  }

  /** Called once when a session ends; {@code reason} is null for one that never opened. */
  void detach(ForwardSession s, String reason) {
    sessions.remove(s);
    if (reason == null) {
      return;
    }
    open.decrementAndGet();
    if (s.peers != null) {
      s.peers.remove(s.key, s);
    }
    metrics.closed(reason);
    LOG.info("op=relayed.close bc={} key={} reason={}", s.chainId, KeyIds.shortId(s.keyHex), reason);
  }

  /** One SEND frame from an open session, on its event loop. */
  void forward(ForwardSession from, Buffer frame) {
    int len = frame.length();
    if (len < RelayFrame.HEADER_BYTES || frame.getByte(0) != RelayFrame.SEND) {
      metrics.malformed();
      return;
    }
    KeyBytes to = KeyBytes.read(frame, 1);
    int payload = len - RelayFrame.HEADER_BYTES;
    if (payload > RelayFrame.MAX_PAYLOAD_BYTES) {
      refuse(from, to, Undeliverable.TOO_LARGE);
      return;
    }
    if (!members.authorized(from.chainId, from.keyHex)) {
      from.close(CloseReason.DEAUTHORIZED);
      return;
    }
    if (!from.buckets.tryTake(payload)) {
      refuse(from, to, Undeliverable.RATE_LIMITED);
      return;
    }
    ForwardSession dest = from.peers.get(to);
    if (dest == null || !dest.isOpen() || !members.authorized(from.chainId, dest.keyHex)) {
      refuse(from, to, Undeliverable.NOT_CONNECTED);
      return;
    }
    if (!dest.reserve(len)) {
      refuse(from, to, Undeliverable.QUEUE_FULL);
      return;
    }
    // Stamp the verified sender over the destination: the receiver learns who sent it from the relay,
    // and still verifies the payload's own signature, which the relay cannot forge.
    frame.setByte(0, RelayFrame.DELIVER);
    frame.setBytes(1, from.key.bytes());
    dest.write(frame, len);
    metrics.forwarded(payload);
  }

  private void refuse(ForwardSession from, KeyBytes to, Undeliverable reason) {
    metrics.dropped(reason);
    if (!from.notice(to, reason)) {
      metrics.noticeDropped();
    }
  }

  /** The relay removed a key from a blockchain: close its connection and forget its buckets. */
  public void deauthorized(String blockchainId, String key) {
    buckets.remove(blockchainId + '/' + key);
    Map<KeyBytes, ForwardSession> peers = chains.get(blockchainId);
    ForwardSession s = peers == null ? null : peers.get(KeyBytes.fromHex(key));
    if (s != null) {
      s.closeSoon(CloseReason.DEAUTHORIZED);
    }
  }

  /**
   * Shutdown: refuse new connections and close every one with 1001 going_away. Completes once
   * every close has been answered (or given up on after a second), so the HTTP servers, which
   * each wait for it, stop only after every connection was told.
   */
  public io.vertx.core.Future<Void> goingAway() {
    stopping = true;
    java.util.List<io.vertx.core.Future<Void>> closing = new java.util.ArrayList<>();
    for (ForwardSession s : sessions) {
      closing.add(s.goAway());
    }
    return io.vertx.core.Future.join(closing).mapEmpty();
  }

  /** A connected key's queue, for tests and diagnostics; empty when the key has no open connection. */
  public Optional<QueueInfo> queue(String blockchainId, String key) {
    Map<KeyBytes, ForwardSession> peers = chains.get(blockchainId);
    ForwardSession s = peers == null ? null : peers.get(KeyBytes.fromHex(key));
    return s == null ? Optional.empty() : Optional.of(new QueueInfo(s.queuedBytes(), s.peakQueuedBytes()));
  }

  /** Bytes queued for one receiver now, and the most it ever held. */
  public record QueueInfo(long queuedBytes, long peakQueuedBytes) {}
}
