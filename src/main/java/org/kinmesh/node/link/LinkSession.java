package org.kinmesh.node.link;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.Optional;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TokenBucket;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/**
 * One WebSocket to one peer, from the first frame to the close: the hello exchange, then
 * bounded, rate-limited payload frames. A single text handler for the whole life, so no frame
 * can slip between the handshake and the data phase. Runs on the links verticle's context.
 *
 * <p>Once open it pings the peer every {@link PathSelector#HEARTBEAT_MS} (jittered): the pong
 * (any WebSocket answers a ping) is what keeps an idle link's path from looking silent, and
 * measures its round trip. A link that heard nothing (no frame, no pong) for
 * {@link LinkSettings#silentCloseMillis()} is closed at its next heartbeat (1001 silent), and
 * its host is told at once: a peer that went silent will not answer the close.
 */
final class LinkSession {
  /** A pong later than this is not a round trip worth reporting. */
  private static final long MAX_RTT_NANOS = 60_000_000_000L;
  /** The close reason of a link closed for silence. */
  static final String SILENT = "silent";

  /** What a session needs from the verticle that owns the peers. */
  interface Host {
    String self();

    HelloCheck helloCheck(LinkSession s, String expectedKey, String expectedPeerField);

    Hello hello(String role, String peerField, String nonce, String challenge);

    /**
     * A hello's signed timestamp, to measure this machine's clock against the peer's ({@code checked}:
     * it passed every check; else it was refused as stale and its signer is not yet verified).
     */
    default void heardClock(Hello h, boolean checked) {}

    /** Makes this session the peer's link; otherwise says why not (then it closes). */
    Optional<Rejection> adopt(LinkSession s);

    boolean authorized(String key);

    void inbound(LinkSession s, String payload);

    /** A pong came back on an open link ({@code rttMillis} -1 when it could not be timed). */
    void heard(LinkSession s, long rttMillis);

    void closed(LinkSession s);

    /** The open link heard nothing for {@code silentMillis} and is closing (then {@link #closed} follows at once). */
    void silent(LinkSession s, long silentMillis);

    /** A valid hello of an authorized peer named another genesis: counts, logs once; returns the close text. */
    String genesisMismatch(LinkSession s, String theirGenesis);

    /** Counts and logs; the session then closes or drops as the rejection says. */
    void rejected(LinkSession s, Rejection r, String detail);
  }

  /** Why a link did not open: the close code and reason the other side gave, or ours. */
  static final class LinkClosed extends Exception {
    final String reason;

    LinkClosed(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  private enum Phase { HELLO, AWAIT_READY, OPEN, RETIRING, CLOSED }

  private final Vertx vertx;
  private final Host host;
  private final WebSocketBase ws;
  private final boolean dialed;
  private final String expectedKey;
  /** The challenge this side set for this connection; the other side's hello must sign it. */
  private final String myChallenge;
  private final int maxFrameBytes;
  private final TokenBucket bucket;
  private final TimeSource clock;
  private final long heartbeatMillis;
  private final long silentCloseMillis;
  /** From the open on: how long the peer has said nothing. */
  private LinkSilence silence;
  private final Promise<LinkSession> opened = Promise.promise();
  private Phase phase = Phase.HELLO;
  private String peerKey;
  private long lastSeenSecs = -1;
  private long handshakeTimer;
  private long heartbeatTimer = -1;
  private boolean closeNotified;
  /** The reason in the close frame the peer sent first (empty when we closed first, or none came). */
  private String closeReason = "";

  private LinkSession(Vertx vertx, Host host, WebSocketBase ws, boolean dialed, String expectedKey, String myChallenge,
      LinkSettings settings, TimeSource clock) {
    this.vertx = vertx;
    this.host = host;
    this.ws = ws;
    this.dialed = dialed;
    this.expectedKey = expectedKey;
    this.myChallenge = myChallenge;
    this.maxFrameBytes = settings.maxFrameBytes();
    this.bucket = new TokenBucket(settings.ratePerSec(), settings.ratePerSec(), clock);
    this.clock = clock;
    this.heartbeatMillis = settings.heartbeatMillis();
    this.silentCloseMillis = settings.silentCloseMillis();
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> onBinary());
    ws.pongHandler(this::onPong);
    ws.closeHandler(v -> onClose());
    ws.exceptionHandler(err -> { });
    handshakeTimer = vertx.setTimer(settings.handshakeTimeoutMillis(), id -> {
      if (phase == Phase.HELLO || phase == Phase.AWAIT_READY) {
        reject(Rejection.HANDSHAKE_TIMEOUT, "no hello within " + settings.handshakeTimeoutMillis() + " ms");
      }
    });
  }

  /** We accepted: say hello first, answering the dialer's challenge and setting ours. */
  static LinkSession accepted(Vertx vertx, Host host, WebSocketBase ws, String dialerChallenge, LinkSettings settings,
      TimeSource clock) {
    LinkSession s = new LinkSession(vertx, host, ws, false, null, Hello.newChallenge(), settings, clock);
    ws.writeTextMessage(host.hello(Hello.ACCEPT, "", s.myChallenge, dialerChallenge).toJson().encode());
    return s;
  }

  /** We dialed {@code expectedKey} with {@code myChallenge} in the upgrade request; wait for its hello. */
  static LinkSession dialed(Vertx vertx, Host host, WebSocketBase ws, String expectedKey, String myChallenge,
      LinkSettings settings, TimeSource clock) {
    return new LinkSession(vertx, host, ws, true, expectedKey, myChallenge, settings, clock);
  }

  Future<LinkSession> opened() {
    return opened.future();
  }

  String myChallenge() {
    return myChallenge;
  }

  boolean dialedBySelf() {
    return dialed;
  }

  String peerKey() {
    return peerKey != null ? peerKey : expectedKey;
  }

  boolean isOpen() {
    return phase == Phase.OPEN;
  }

  long lastSeenSecs() {
    return lastSeenSecs;
  }

  /** The peer closed this link as a duplicate: it keeps another link to us. */
  boolean closedAsDuplicate() {
    return Rejection.DUPLICATE.code().equals(closeReason);
  }

  String remoteAddress() {
    return ws.remoteAddress() == null ? null : ws.remoteAddress().toString();
  }

  /** Sends one payload; false when the frame would be over the limit or the write queue is full. */
  boolean send(String payload) {
    String frame = DataFrame.encode(payload);
    if (phase != Phase.OPEN || !DataFrame.fits(frame, maxFrameBytes) || ws.writeQueueFull()) {
      return false;
    }
    ws.writeTextMessage(frame);
    return true;
  }

  /** The upgrade never completed: nothing to close, only our timer to stop. */
  void abandon() {
    phase = Phase.CLOSED;
    stopTimers();
    opened.tryFail(new LinkClosed("connect_failed", "the WebSocket upgrade failed"));
  }

  void close(short code, String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    stopTimers();
    opened.tryFail(new LinkClosed(reason, "closed by us: " + reason));
    ws.close(code, reason);
  }

  /**
   * Closes a link that a better one replaced. Until the close completes it still delivers what
   * the peer sent, since the peer may have sent on it before it learned of the replacement.
   */
  void retire() {
    if (phase != Phase.OPEN) {
      close((short) 1000, Rejection.DUPLICATE.code());
      return;
    }
    closeDelivering();
  }

  /** Closes as a duplicate (1000), still delivering what arrives until the close completes. */
  private void closeDelivering() {
    phase = Phase.RETIRING;
    stopTimers();
    opened.tryFail(new LinkClosed(Rejection.DUPLICATE.code(), "closed by us: " + Rejection.DUPLICATE.code()));
    ws.close((short) 1000, Rejection.DUPLICATE.code());
  }

  private void reject(Rejection r, String detail) {
    host.rejected(this, r, detail);
    close((short) 1008, r.code());
  }

  private void onText(String text) {
    heardSomething();
    switch (phase) {
      case HELLO -> onHello(text);
      case AWAIT_READY -> onReady(text);
      case OPEN, RETIRING -> onData(text);
      case CLOSED -> { }
    }
  }

  private void onHello(String text) {
    Hello h;
    try {
      h = Hello.parse(text);
    } catch (WireException e) {
      reject(e.code() == ErrorCode.TOO_LARGE ? Rejection.TOO_LARGE : Rejection.MALFORMED, e.getMessage());
      return;
    }
    peerKey = h.pubkey();
    // A dialer's hello names us as its peer; an acceptor's names nobody (it cannot know who dialed).
    HelloCheck check = host.helloCheck(this, expectedKey, dialed ? "" : host.self());
    Optional<Rejection> bad = check.check(h);
    if (bad.isEmpty() || bad.get() == Rejection.STALE) {
      host.heardClock(h, bad.isEmpty());
    }
    if (bad.isPresent() && bad.get() == Rejection.GENESIS_MISMATCH) {
      // Counted and logged once per peer by the host, not at every redial; both prefixes in the close text.
      close((short) 1008, host.genesisMismatch(this, h.genesis()));
      return;
    }
    if (bad.isPresent()) {
      reject(bad.get(), "hello from " + org.kinmesh.crypto.KeyIds.shortId(h.pubkey()));
      return;
    }
    if (dialed) {
      ws.writeTextMessage(host.hello(Hello.DIAL, expectedKey, myChallenge, h.nonce()).toJson().encode());
      phase = Phase.AWAIT_READY;
      return;
    }
    if (!adopted()) {
      return;
    }
    ws.writeTextMessage(DataFrame.READY);
    open();
  }

  private void onReady(String text) {
    if (!DataFrame.isReady(text)) {
      reject(Rejection.UNEXPECTED_FRAME, "expected ready");
      return;
    }
    if (!adopted()) {
      return;
    }
    open();
  }

  private boolean adopted() {
    Optional<Rejection> refused = host.adopt(this);
    if (refused.isEmpty()) {
      return true;
    }
    Rejection r = refused.get();
    host.rejected(this, r, r == Rejection.DUPLICATE ? "a preferred link exists" : "not a linked peer");
    if (r == Rejection.DUPLICATE && dialed) {
      // The acceptor adopted this link before it said ready and may be sending on it already.
      closeDelivering();
    } else {
      close((short) (r == Rejection.DUPLICATE ? 1000 : 1008), r.code());
    }
    return false;
  }

  private void open() {
    phase = Phase.OPEN;
    vertx.cancelTimer(handshakeTimer);
    lastSeenSecs = clock.nowSeconds();
    silence = new LinkSilence(silentCloseMillis, () -> clock.monotonicNanos() / 1_000_000L);
    scheduleHeartbeat();
    opened.tryComplete(this);
  }

  private void scheduleHeartbeat() {
    heartbeatTimer = vertx.setTimer(Jitter.around(heartbeatMillis, 0.1), id -> heartbeat());
  }

  private void heartbeat() {
    heartbeatTimer = -1;
    if (phase != Phase.OPEN) {
      return;
    }
    if (silence.overdue()) {
      closeSilent();
      return;
    }
    // The send time rides in the ping; the pong echoes it back.
    ws.writePing(Buffer.buffer(Long.BYTES).appendLong(clock.monotonicNanos()));
    scheduleHeartbeat();
  }

  private void onPong(Buffer echo) {
    if (phase != Phase.OPEN) {
      return;
    }
    heardSomething();
    long rtt = echo.length() == Long.BYTES ? clock.monotonicNanos() - echo.getLong(0) : -1;
    // A pong echoes our ping's send time; one that does not is heard but not timed.
    host.heard(this, rtt >= 0 && rtt < MAX_RTT_NANOS ? rtt / 1_000_000L : -1);
  }

  private void heardSomething() {
    if (silence != null) {
      silence.heard();
    }
  }

  private void closeSilent() {
    host.silent(this, silence.silentMillis());
    close((short) 1001, SILENT);
    // A silent peer will not answer our close frame; the socket goes when the closing timeout
    // ends it, but the path goes down (and the peer is re-dialed) now.
    notifyClosed();
  }

  private void notifyClosed() {
    if (!closeNotified) {
      closeNotified = true;
      host.closed(this);
    }
  }

  private void stopTimers() {
    vertx.cancelTimer(handshakeTimer);
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
  }

  private void onData(String text) {
    if (!host.authorized(peerKey)) {
      reject(Rejection.DEAUTHORIZED, "sender no longer authorized");
      return;
    }
    if (!DataFrame.fits(text, maxFrameBytes)) {
      host.rejected(this, Rejection.TOO_LARGE, "frame over " + maxFrameBytes + " bytes dropped");
      return;
    }
    if (!bucket.tryTake()) {
      host.rejected(this, Rejection.RATE_LIMITED, "over the per-peer rate");
      return;
    }
    String payload;
    try {
      payload = DataFrame.payload(text, maxFrameBytes);
    } catch (WireException e) {
      host.rejected(this, Rejection.MALFORMED, e.getMessage());
      return;
    }
    lastSeenSecs = clock.nowSeconds();
    host.inbound(this, payload);
  }

  private void onBinary() {
    heardSomething();
    if (phase == Phase.OPEN || phase == Phase.RETIRING) {
      host.rejected(this, Rejection.UNEXPECTED_FRAME, "binary frame dropped");
    } else if (phase != Phase.CLOSED) {
      reject(Rejection.UNEXPECTED_FRAME, "binary frame during the handshake");
    }
  }

  private void onClose() {
    boolean wasOpen = phase == Phase.OPEN;
    boolean closedByUs = phase == Phase.CLOSED || phase == Phase.RETIRING;
    phase = Phase.CLOSED;
    Short code = ws.closeStatusCode();
    String reason = ws.closeReason() == null ? "" : ws.closeReason();
    closeReason = closedByUs ? "" : reason;
    stopTimers();
    opened.tryFail(new LinkClosed(reason, "closed by peer: " + code + " " + reason));
    notifyClosed();
    if (wasOpen) {
      lastSeenSecs = lastSeenSecs < 0 ? clock.nowSeconds() : lastSeenSecs;
    }
  }
}
