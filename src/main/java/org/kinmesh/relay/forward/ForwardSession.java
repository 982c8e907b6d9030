package org.kinmesh.relay.forward;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.crypto.Hex;
import org.kinmesh.util.Jitter;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/**
 * One node's relayed-traffic WebSocket, from the upgrade to the close: the challenge and the
 * node's signed answer, then SEND frames handed to the hub. Its own state lives on its event
 * loop; what other loops touch (the queued-byte count, writes, the phase) is thread-safe.
 */
final class ForwardSession {
  private enum Phase { AUTH, OPEN, CLOSED }

  private final Vertx vertx;
  private final ForwardHub hub;
  private final ServerWebSocket ws;
  private final Context context;
  private final String nonce = Handshake.newNonce();
  private final long queueLimit;
  /** Bytes accepted for this receiver and not yet written to its socket. */
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong peakQueued = new AtomicLong();
  private final Object writeLock = new Object();
  private volatile Phase phase = Phase.AUTH;
  private long handshakeTimer = -1;
  private long pingTimer = -1;
  private boolean heard;
  private boolean finished;
  private boolean adopted;
  // Set once, at adoption, before the session is published in the hub's maps.
  String chainId;
  String keyHex;
  KeyBytes key;
  Map<KeyBytes, ForwardSession> peers;
  RateBuckets buckets;

  ForwardSession(Vertx vertx, ForwardHub hub, ServerWebSocket ws, ForwardSettings settings) {
    this.vertx = vertx;
    this.hub = hub;
    this.ws = ws;
    this.context = vertx.getOrCreateContext();
    this.queueLimit = settings.queueBytes();
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.pongHandler(b -> heard = true);
    ws.closeHandler(v -> finish("closed"));
    ws.exceptionHandler(err -> { });
    handshakeTimer = vertx.setTimer(settings.handshakeTimeoutMillis(), id -> {
      if (phase == Phase.AUTH) {
        hub.refused(this, CloseReason.HANDSHAKE_TIMEOUT, "no answer within " + settings.handshakeTimeoutMillis() + " ms");
        close(CloseReason.HANDSHAKE_TIMEOUT);
      }
    });
    ws.writeTextMessage(Handshake.challenge(nonce));
  }

  String remoteAddress() {
    return ws.remoteAddress() == null ? "?" : ws.remoteAddress().hostAddress();
  }

  boolean isOpen() {
    return phase == Phase.OPEN;
  }

  long queuedBytes() {
    return queued.get();
  }

  long peakQueuedBytes() {
    return peakQueued.get();
  }

  // ---- inbound, on this session's event loop ----

  private void onText(String text) {
    if (phase == Phase.AUTH) {
      onAuth(text);
    } else if (phase == Phase.OPEN) {
      close(CloseReason.UNEXPECTED_FRAME);
    }
  }

  private void onAuth(String text) {
    ConnectAuth auth;
    try {
      auth = ConnectAuth.parse(text);
    } catch (WireException e) {
      hub.refused(this, CloseReason.MALFORMED, e.code() == ErrorCode.TOO_LARGE ? "auth frame too large" : e.getMessage());
      close(CloseReason.MALFORMED);
      return;
    }
    Optional<CloseReason> bad = hub.check(nonce, auth);
    if (bad.isPresent()) {
      hub.refused(this, bad.get(), "key " + org.kinmesh.crypto.KeyIds.shortId(auth.pubkey()));
      close(bad.get());
      return;
    }
    chainId = auth.blockchainId();
    keyHex = auth.pubkey();
    key = KeyBytes.of(Hex.decode(keyHex));
    vertx.cancelTimer(handshakeTimer);
    heard = true;
    adopted = true;
    if (!hub.adopt(this)) {
      close(CloseReason.DEAUTHORIZED);
      return;
    }
    // Other loops may find this session from now on, but deliver only once it is open; opening and
    // writing ready under the write lock puts ready before any frame delivered to it, and makes the
    // session open before the node can see ready.
    synchronized (writeLock) {
      phase = Phase.OPEN;
      ws.writeTextMessage(Handshake.ready(hub.settings().ready()));
    }
    schedulePing();
  }

  private void onBinary(Buffer frame) {
    if (phase == Phase.OPEN) {
      heard = true;
      hub.forward(this, frame);
    } else if (phase == Phase.AUTH) {
      hub.refused(this, CloseReason.UNEXPECTED_FRAME, "binary frame before the answer");
      close(CloseReason.UNEXPECTED_FRAME);
    }
  }

  /** Ping each interval; a node that sent nothing, not even a pong, for a whole interval is gone. */
  private void schedulePing() {
    pingTimer = vertx.setTimer(Jitter.around(hub.settings().pingIntervalMillis(), 0.1), id -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (!heard) {
        close(CloseReason.IDLE_TIMEOUT);
        return;
      }
      heard = false;
      ws.writePing(Buffer.buffer());
      schedulePing();
    });
  }

  // ---- outbound, from any event loop ----

  /**
   * Takes room for {@code bytes} in this receiver's queue; false when it is full. The bound is
   * our own count of bytes not yet written, not Vert.x's writeQueueFull(): for writes from
   * another event loop that reports full once 16 messages wait for the receiver's loop: it
   * dropped 56 of a burst of 200 small frames in testing (docs/relay.md).
   */
  boolean reserve(int bytes) {
    while (true) {
      long q = queued.get();
      long next = q + bytes;
      if (next > queueLimit) {
        return false;
      }
      if (queued.compareAndSet(q, next)) {
        if (next > peakQueued.get()) {
          peakQueued.accumulateAndGet(next, Math::max);
        }
        return true;
      }
    }
  }

  /** Writes a frame room was reserved for; the room is given back once Netty has written it (or failed to). */
  void write(Buffer frame, int bytes) {
    Future<Void> written;
    synchronized (writeLock) {
      written = ws.writeBinaryMessage(frame);
    }
    written.onComplete(ar -> queued.addAndGet(-bytes));
  }

  /** Tells this node that a frame it sent was not forwarded; false when its own queue had no room. */
  boolean notice(KeyBytes to, Undeliverable reason) {
    if (phase != Phase.OPEN || !reserve(RelayFrame.UNDELIVERABLE_BYTES)) {
      return false;
    }
    write(RelayFrame.undeliverable(to.bytes(), reason), RelayFrame.UNDELIVERABLE_BYTES);
    return true;
  }

  /** Closes from any thread: the close runs on this session's own event loop. */
  void closeSoon(CloseReason reason) {
    if (Vertx.currentContext() == context) {
      close(reason);
    } else {
      context.runOnContext(v -> close(reason));
    }
  }

  /**
   * Shutdown: close with 1001 going_away and wait (at most a second) for the close to complete,
   * so the close frame is on the wire before the server stops. Completes on any outcome. (Vert.x's
   * own WebSocket shutdown(timeout, ...) never completed its future here, so it is not used.)
   */
  Future<Void> goAway() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      if (phase == Phase.CLOSED) {
        done.complete();
        return;
      }
      phase = Phase.CLOSED;
      finish(CloseReason.GOING_AWAY.code());
      long timer = vertx.setTimer(1_000, id -> done.tryComplete());
      ws.close(CloseReason.GOING_AWAY.status(), CloseReason.GOING_AWAY.code()).onComplete(ar -> {
        vertx.cancelTimer(timer);
        done.tryComplete();
      });
    });
    return done.future();
  }

  void close(CloseReason reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    ws.close(reason.status(), reason.code());
    finish(reason.code());
  }

  /** Runs once per session, whichever of our close and the socket's close handler comes first. */
  private void finish(String reason) {
    if (finished) {
      return;
    }
    finished = true;
    phase = Phase.CLOSED;
    vertx.cancelTimer(handshakeTimer);
    vertx.cancelTimer(pingTimer);
    hub.detach(this, adopted ? reason : null);
  }
}
