package org.kinmesh.node.relay;

import org.kinmesh.node.NodeAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.link.LinkCounters;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.relay.forward.ConnectAuth;
import org.kinmesh.relay.forward.Handshake;
import org.kinmesh.relay.forward.RelayFrame;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's relayed-traffic connection: one WebSocket to the relay, authenticated by a signed
 * answer to the relay's challenge, kept up with backoff (1, 2, 4 … 30 s) and pings. Carries
 * payloads to and from other keys of the blockchain over the event bus
 * ({@link RelayedAddresses}). Start never waits for the relay, so a relay that is down never
 * stops the node. Path selection (when to use this instead of a direct link) is not decided here.
 */
public final class RelayedConnectionVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public RelayedConnectionVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(RelayedConnectionVerticle.class);
  private static final double JITTER = 0.1;

  private enum Phase { IDLE, CHALLENGE, AUTH_SENT, OPEN }

  private final RelayedSettings settings;
  private final Identity identity;
  private final TimeSource clock;
  private final String log;
  private final LinkCounters counters = new LinkCounters();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ReconnectSchedule schedule;
  private WebSocketClient client;
  private ClientWebSocket ws;
  /** Whether {@link #ws}'s upgrade has completed (before that it cannot be closed). */
  private boolean socketUp;
  private Phase phase = Phase.IDLE;
  private int maxPayloadBytes = RelayFrame.MAX_PAYLOAD_BYTES;
  private long reconnectTimer = -1;
  private long handshakeTimer = -1;
  private long pingTimer = -1;
  private long openedAtNanos;
  /** Bytes handed to the socket and not yet written; runs on this verticle's context only. */
  private long pendingBytes;
  private boolean heard;
  private boolean stopping;
  private String outage;
  private volatile boolean connected;

  public RelayedConnectionVerticle(RelayedSettings settings, Identity identity, TimeSource clock) {
    this.settings = settings;
    this.identity = identity;
    this.clock = clock;
    this.log = "node=" + identity.shortId();
  }

  /** Whether the relay has accepted us and the connection is up. */
  public boolean connected() {
    return connected;
  }

  /** Sends, receives, refusals and drops by name (also in the STATUS reply). */
  public LinkCounters counters() {
    return counters;
  }

  @Override
  public Future<?> start() {
    URI base = RelayHttpClient.parseBase(settings.relayUrl());
    int hardCap = RelayFrame.HARD_CAP_BYTES;
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setSsl("https".equals(base.getScheme()))
        .setConnectTimeout((int) settings.connectTimeoutMillis())
        .setMaxFrameSize(hardCap).setMaxMessageSize(hardCap));
    schedule = new ReconnectSchedule(settings.reconnect(), settings.stableMillis());
    var bus = vertx.eventBus();
    consumers.add(bus.localConsumer(addresses.relayed().send(), this::onSend));
    consumers.add(bus.localConsumer(addresses.relayed().status(), m -> m.reply(status())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).onSuccess(v -> connect());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(reconnectTimer);
    vertx.cancelTimer(handshakeTimer);
    vertx.cancelTimer(pingTimer);
    Future<Void> closed = ws == null || !socketUp || ws.isClosed() ? Future.succeededFuture()
        : ws.close((short) 1001, "going_away").otherwiseEmpty();
    return closed.compose(v -> client.close()).compose(v -> Future.all(consumers.stream()
        .map(MessageConsumer::unregister).toList()));
  }

  // ---- connection ----

  private WebSocketConnectOptions connectOptions() {
    URI base = RelayHttpClient.parseBase(settings.relayUrl());
    boolean tls = "https".equals(base.getScheme());
    String host = base.getHost().startsWith("[") ? base.getHost().substring(1, base.getHost().length() - 1)
        : base.getHost();
    int port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
    String prefix = base.getPath() == null ? "" : base.getPath();
    return new WebSocketConnectOptions().setHost(host).setPort(port).setSsl(tls).setURI(prefix + RelayFrame.PATH)
        .setTimeout(settings.connectTimeoutMillis());
  }

  private void connect() {
    reconnectTimer = -1;
    if (stopping) {
      return;
    }
    // Handlers go on before the upgrade: the relay's challenge may come in the same read as its 101
    // answer, before the connect future completes, and must not be missed.
    ClientWebSocket w = client.webSocket();
    ws = w;
    socketUp = false;
    phase = Phase.CHALLENGE;
    // Frames still arriving on a socket we already gave up on are ignored.
    w.textMessageHandler(t -> {
      if (w == ws) {
        onText(t);
      }
    });
    w.binaryMessageHandler(b -> {
      if (w == ws) {
        onBinary(b);
      }
    });
    w.pongHandler(b -> heard = true);
    w.closeHandler(v -> onClose(w));
    w.exceptionHandler(err -> { });
    w.connect(connectOptions()).onComplete(ar -> {
      if (ar.succeeded() && (stopping || w != ws)) {
        w.close((short) 1001, "going_away");
        return;
      }
      if (w != ws || stopping) {
        return;
      }
      if (ar.failed()) {
        ws = null;
        failed("unreachable", ar.cause().getMessage());
        return;
      }
      socketUp = true;
      if (phase == Phase.CHALLENGE || phase == Phase.AUTH_SENT) {
        handshakeTimer = vertx.setTimer(settings.handshakeTimeoutMillis(), id -> {
          if (w == ws && (phase == Phase.CHALLENGE || phase == Phase.AUTH_SENT)) {
            giveUp("handshake_timeout", "no ready within " + settings.handshakeTimeoutMillis() + " ms");
          }
        });
      }
    });
  }

  private void onText(String text) {
    try {
      switch (phase) {
        case CHALLENGE -> {
          String nonce = Handshake.parseChallenge(text);
          ws.writeTextMessage(ConnectAuth.sign(identity, settings.blockchainId(), clock.nowSeconds(), nonce)
              .toJson().encode());
          phase = Phase.AUTH_SENT;
        }
        case AUTH_SENT -> opened(Handshake.parseReady(text));
        default -> counters.increment("unexpected_frame");
      }
    } catch (WireException e) {
      giveUp("malformed", "relay sent " + e.getMessage());
    }
  }

  private void opened(Handshake.Ready ready) {
    vertx.cancelTimer(handshakeTimer);
    phase = Phase.OPEN;
    connected = true;
    maxPayloadBytes = ready.maxPayloadBytes();
    openedAtNanos = System.nanoTime();
    heard = true;
    counters.increment("connects");
    if (outage != null) {
      LOG.info("{} op=relayed.connect relay={} connected again (after {})", log, settings.relayUrl(), outage);
    } else {
      LOG.info("{} op=relayed.connect relay={} connected", log, settings.relayUrl());
    }
    outage = null;
    vertx.eventBus().publish(addresses.relayed().state(), new JsonObject().put("connected", true)
        .put("relay", settings.relayUrl()));
    schedulePing();
  }

  private void schedulePing() {
    pingTimer = vertx.setTimer(Jitter.around(settings.pingIntervalMillis(), JITTER), id -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (!heard) {
        giveUp("idle_timeout", "no pong within " + settings.pingIntervalMillis() + " ms");
        return;
      }
      heard = false;
      ws.writePing(Buffer.buffer());
      schedulePing();
    });
  }

  /** Closes the current socket for a reason of ours; the close handler schedules the next try. */
  private void giveUp(String reason, String detail) {
    counters.increment(reason);
    WebSocket w = ws;
    boolean up = socketUp;
    ended(reason, detail, phase == Phase.OPEN);
    if (up) {
      w.close((short) 1000, reason);
    }
  }

  private void onClose(WebSocket w) {
    if (w != ws) {
      return; // already handled (we gave up on it)
    }
    boolean wasOpen = phase == Phase.OPEN;
    String reason = w.closeReason() == null || w.closeReason().isEmpty() ? "closed" : w.closeReason();
    ended(reason, "closed by the relay (" + w.closeStatusCode() + ")", wasOpen);
  }

  private void ended(String reason, String detail, boolean wasOpen) {
    ws = null;
    vertx.cancelTimer(handshakeTimer);
    vertx.cancelTimer(pingTimer);
    phase = Phase.IDLE;
    connected = false;
    if (stopping) {
      return;
    }
    if (wasOpen) {
      long up = (System.nanoTime() - openedAtNanos) / 1_000_000;
      schedule(schedule.afterClose(up), reason, detail);
    } else {
      failed(reason, detail);
    }
  }

  private void failed(String reason, String detail) {
    phase = Phase.IDLE;
    counters.increment("connect_failed");
    schedule(schedule.afterFailure(), reason, detail);
  }

  private void schedule(long baseDelay, String reason, String detail) {
    long delay = Jitter.around(baseDelay, JITTER);
    if (outage == null || !outage.equals(reason)) {
      // Once per outage (and per new reason), not once per try: a relay down for an hour is one line.
      LOG.warn("{} op=relayed.connect relay={} reason={} detail=\"{}\"; retrying in the background;"
          + " if it lasts, check relay_url in the config and that the relay runs", log,
          settings.relayUrl(), reason, detail);
    }
    outage = reason;
    vertx.eventBus().publish(addresses.relayed().state(), new JsonObject().put("connected", false)
        .put("relay", settings.relayUrl()).put("reason", reason).put("retry_in_ms", delay));
    reconnectTimer = vertx.setTimer(delay, id -> connect());
  }

  // ---- frames ----

  private void onBinary(Buffer frame) {
    if (phase != Phase.OPEN) {
      giveUp("unexpected_frame", "binary frame during the handshake");
      return;
    }
    heard = true;
    RelayFrame.Inbound in;
    try {
      in = RelayFrame.parseInbound(frame);
    } catch (WireException e) {
      counters.increment(e.code() == ErrorCode.TOO_LARGE ? "received_too_large" : "received_malformed");
      return;
    }
    if (in.type() == RelayFrame.UNDELIVERABLE) {
      counters.increment("undeliverable." + in.reason().code());
      vertx.eventBus().publish(addresses.relayed().undeliverable(), new JsonObject().put("to", in.key())
          .put("reason", in.reason().code()));
      return;
    }
    String payload;
    try {
      payload = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(in.payload())).toString();
    } catch (CharacterCodingException e) {
      counters.increment("received_malformed");
      return;
    }
    counters.increment("received");
    vertx.eventBus().publish(addresses.relayed().inbound(), new JsonObject().put("from", in.key()).put("payload", payload));
  }

  private void onSend(Message<Object> m) {
    JsonObject body = m.body() instanceof JsonObject o ? o : null;
    String to = body != null && body.getValue("to") instanceof String s ? s : null;
    String payload = body != null && body.getValue("payload") instanceof String s ? s : null;
    if (!WireRules.isPublicKeyHex(to) || payload == null) {
      refuse(m, 400, "malformed", "body must be {\"to\": 64 lowercase hex characters, \"payload\": string}");
      return;
    }
    if (phase != Phase.OPEN) {
      refuse(m, 503, "not_connected", "no connection to the relay");
      return;
    }
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxPayloadBytes) {
      refuse(m, 413, "too_large", "payload over " + maxPayloadBytes + " bytes");
      return;
    }
    int frameBytes = RelayFrame.HEADER_BYTES + bytes.length;
    if (pendingBytes + frameBytes > settings.sendQueueBytes()) {
      refuse(m, 503, "queue_full", "over " + settings.sendQueueBytes() + " bytes wait to be written to the relay");
      return;
    }
    // Bounded by our own count of bytes not yet written (each write's future completes once Netty
    // wrote it): Vert.x's writeQueueFull() lags, it stayed false through 40 writes of 40 KB made in
    // one event-loop turn in testing.
    pendingBytes += frameBytes;
    ws.writeBinaryMessage(RelayFrame.send(Hex.decode(to), bytes)).onComplete(ar -> pendingBytes -= frameBytes);
    counters.increment("sent");
    if (m.replyAddress() != null) {
      m.reply(new JsonObject().put("status", "sent"));
    }
  }

  private void refuse(Message<Object> m, int code, String error, String message) {
    counters.increment("send_" + error);
    if (m.replyAddress() != null) {
      m.fail(code, new JsonObject().put("error", error).put("message", message).encode());
    }
  }

  private JsonObject status() {
    JsonObject c = new JsonObject();
    counters.snapshot().forEach(c::put);
    return new JsonObject().put("connected", connected).put("relay", settings.relayUrl())
        .put("failures", schedule.failures()).put("counters", c);
  }
}
