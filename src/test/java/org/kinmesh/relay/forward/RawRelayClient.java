package org.kinmesh.relay.forward;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;

/** A hand-driven relayed-traffic client: speaks the frames of docs/relay.md, or breaks them on purpose. */
final class RawRelayClient implements AutoCloseable {
  final Identity id;
  final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  final BlockingQueue<Buffer> binaries = new LinkedBlockingQueue<>();
  final AtomicInteger binaryCount = new AtomicInteger();
  final Promise<String> closed = Promise.promise();
  final WebSocketClient client;
  final ClientWebSocket ws;

  RawRelayClient(Vertx vertx, Identity id, int port) {
    this(vertx, id, port, RelayFrame.PATH);
  }

  RawRelayClient(Vertx vertx, Identity id, int port, String path) {
    this.id = id;
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 20));
    // Handlers set before the upgrade, so the relay's challenge (which may share a read with the 101) is not missed.
    ClientWebSocket w = client.webSocket();
    w.textMessageHandler(texts::add);
    w.binaryMessageHandler(b -> {
      binaryCount.incrementAndGet();
      binaries.add(b);
    });
    w.closeHandler(v -> closed.tryComplete(w.closeStatusCode() + " " + w.closeReason()));
    Await.result(w.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)));
    ws = w;
  }

  static Future<WebSocket> connect(WebSocketClient client, int port, String path) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path));
  }

  /** Connects, answers the challenge correctly for {@code chain} at {@code nowSecs} and waits for ready. */
  static RawRelayClient connected(Vertx vertx, Identity id, int port, String chain, long nowSecs) {
    RawRelayClient c = new RawRelayClient(vertx, id, port);
    c.answer(chain, nowSecs);
    Handshake.Ready ready = c.ready();
    if (ready.maxPayloadBytes() != RelayFrame.MAX_PAYLOAD_BYTES) {
      throw new AssertionError("unexpected ready " + ready);
    }
    return c;
  }

  String nextText() {
    return poll(texts, "text frame");
  }

  Buffer nextBinary() {
    return poll(binaries, "binary frame");
  }

  private static <T> T poll(BlockingQueue<T> q, String what) {
    try {
      T t = q.poll(20, TimeUnit.SECONDS);
      if (t == null) {
        throw new AssertionError("no " + what + " within 20 s");
      }
      return t;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  String challenge() {
    try {
      return Handshake.parseChallenge(nextText());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  void answer(String chain, long nowSecs) {
    sendText(ConnectAuth.sign(id, chain, nowSecs, challenge()).toJson().encode());
  }

  Handshake.Ready ready() {
    try {
      return Handshake.parseReady(nextText());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  void sendText(String text) {
    Await.result(ws.writeTextMessage(text));
  }

  Future<Void> sendFrame(Buffer frame) {
    return ws.writeBinaryMessage(frame);
  }

  void send(Identity to, byte[] payload) {
    Await.result(sendFrame(RelayFrame.send(org.kinmesh.crypto.Hex.decode(to.publicKeyHex()), payload)));
  }

  RelayFrame.Inbound nextInbound() {
    try {
      return RelayFrame.parseInbound(nextBinary());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String awaitClose() {
    return Await.result(closed.future());
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
    client.close();
  }
}
