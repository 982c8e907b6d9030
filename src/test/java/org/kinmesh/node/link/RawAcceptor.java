package org.kinmesh.node.link;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.util.TimeSource;

/**
 * A hand-driven link acceptor: answers the first dial with its signed hello and then does only
 * what the test says (send ready, send data, close), so a test can hold a handshake half-way.
 */
final class RawAcceptor implements AutoCloseable {
  final Identity id;
  final String challenge = Hello.newChallenge();
  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final Promise<ServerWebSocket> accepted = Promise.promise();
  /** "code reason" of the first link's close. */
  final Promise<String> closed = Promise.promise();
  private final HttpServer server;
  private volatile io.vertx.core.Context context;

  RawAcceptor(Vertx vertx, Identity id) {
    this.id = id;
    server = vertx.createHttpServer().webSocketHandler(ws -> {
      if (!accepted.tryComplete(ws)) {
        ws.close((short) 1013, "one dial only");
        return;
      }
      context = Vertx.currentContext();
      ws.textMessageHandler(frames::add);
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode() + " " + ws.closeReason()));
      ws.writeTextMessage(Hello.sign(id, Hello.ACCEPT, LinkNode.CHAIN, org.kinmesh.chain.Block.ZERO_HASH, "", TimeSource.SYSTEM.nowSeconds(), challenge,
          ws.headers().get(LinkSettings.CHALLENGE_HEADER)).toJson().encode());
    });
    Await.result(server.listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  String nextFrame() {
    return RawPeer.nextFrame(frames);
  }

  void send(String text) {
    Await.result(Await.result(accepted.future()).writeTextMessage(text));
  }

  /** Writes the frames back to back in one event-loop turn: nothing the other side answers comes between. */
  void sendTogether(String... texts) {
    ServerWebSocket ws = Await.result(accepted.future());
    Promise<Void> written = Promise.promise();
    context.runOnContext(v -> {
      for (String t : texts) {
        ws.writeTextMessage(t);
      }
      written.complete();
    });
    Await.result(written.future());
  }

  @Override
  public void close() {
    Await.result(server.close());
  }
}
