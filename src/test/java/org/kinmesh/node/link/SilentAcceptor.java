package org.kinmesh.node.link;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.WsWire;
import org.kinmesh.util.TimeSource;

/**
 * A link acceptor over a bare TCP server that speaks the WebSocket upgrade and the link
 * handshake by hand, then goes silent: it never answers a ping (any real WebSocket would), as a
 * peer that slept or lost its network. Later dials are only counted, never answered.
 */
final class SilentAcceptor implements AutoCloseable {
  final Identity id;
  final String challenge = Hello.newChallenge();
  /** The first link reached "ready". */
  final Promise<Void> linked = Promise.promise();
  /** "code reason" of the close frame the dialer sent on the first link. */
  final Promise<String> closeFrame = Promise.promise();
  /** A second dial arrived (the dialer re-dialed). */
  final Promise<Void> redialed = Promise.promise();
  /** The first link's TCP connection closed. */
  final Promise<Void> firstClosed = Promise.promise();
  /** Pings the first link received and left unanswered. */
  final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final NetServer server;

  SilentAcceptor(Vertx vertx, Identity id) {
    this.id = id;
    server = vertx.createNetServer().connectHandler(this::onConnect);
    Await.result(server.listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  private void onConnect(NetSocket so) {
    if (connections.incrementAndGet() > 1) {
      redialed.tryComplete();
      return;
    }
    so.closeHandler(v -> firstClosed.tryComplete());
    WsWire.Reader reader = new WsWire.Reader();
    boolean[] upgraded = {false};
    so.handler(bytes -> {
      reader.feed(bytes);
      String head = reader.head();
      if (head == null) {
        return;
      }
      if (!upgraded[0]) {
        upgraded[0] = true;
        so.write(Buffer.buffer(WsWire.upgradeResponse(WsWire.header(head, "Sec-WebSocket-Key")))
            .appendBuffer(WsWire.text(Hello.sign(id, Hello.ACCEPT, LinkNode.CHAIN, org.kinmesh.chain.Block.ZERO_HASH, "", TimeSource.SYSTEM.nowSeconds(),
                challenge, WsWire.header(head, LinkSettings.CHALLENGE_HEADER)).toJson().encode(), false)));
      }
      for (WsWire.Frame f = reader.next(); f != null; f = reader.next()) {
        switch (f.opcode()) {
          case WsWire.TEXT -> {
            // The dialer's hello (checked by the node's side of the test, which sees the link up).
            so.write(WsWire.text(DataFrame.READY, false));
            linked.tryComplete();
          }
          case WsWire.PING -> pings.incrementAndGet();
          case WsWire.CLOSE -> {
            Buffer p = f.payload();
            String reason = p.length() > 2 ? p.getString(2, p.length(), StandardCharsets.UTF_8.name()) : "";
            closeFrame.tryComplete((p.length() >= 2 ? p.getUnsignedShort(0) : -1) + " " + reason);
          }
          default -> { }
        }
      }
    });
  }

  @Override
  public void close() {
    Await.result(server.close());
  }
}
