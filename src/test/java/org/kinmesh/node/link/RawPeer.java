package org.kinmesh.node.link;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;

/** A hand-driven link client: speaks the frames of docs/links.md, or breaks them on purpose. */
final class RawPeer {
  final Identity id;
  final String challenge = Hello.newChallenge();
  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final Promise<String> closed = Promise.promise();
  final WebSocket ws;

  RawPeer(Vertx vertx, Identity id, int port) {
    this.id = id;
    var client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 20));
    // Handlers go on before the upgrade, so the acceptor's first frame (sent with its 101) is not missed.
    io.vertx.core.http.ClientWebSocket w = client.webSocket();
    w.textMessageHandler(frames::add);
    w.closeHandler(v -> closed.tryComplete(w.closeStatusCode() + " " + w.closeReason()));
    Await.result(w.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(LinkSettings.PATH).addHeader(LinkSettings.CHALLENGE_HEADER, challenge)));
    ws = w;
  }

  String nextFrame() {
    return nextFrame(frames);
  }

  /** The next text frame a raw test peer received, or an assertion error after 20 s. */
  static String nextFrame(java.util.concurrent.BlockingQueue<String> frames) {
    try {
      String f = frames.poll(20, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within 20 s");
      }
      return f;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  Hello serverHello() {
    try {
      return Hello.parse(nextFrame());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A correct dialer hello answering the acceptor's challenge. */
  Hello helloFor(Hello server, String chain, long ts) {
    return Hello.sign(id, Hello.DIAL, chain, org.kinmesh.chain.Block.ZERO_HASH, server.pubkey(), ts, challenge, server.nonce());
  }

  void send(String text) {
    Await.result(ws.writeTextMessage(text));
  }

  String awaitClose() {
    return Await.result(closed.future());
  }
}
