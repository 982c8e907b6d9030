package org.kinmesh.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.kinmesh.relay.forward.RelayFrame;

/**
 * The bench's baseline (bench/relayed-bench.sh): the least a WebSocket forwarder on the same
 * stack can do with the relay's frames. A client's first text frame is its key (hex); then each
 * SEND frame is looked up by destination key, re-stamped with the sender and written to the
 * destination, from the sender's event loop, like the relay does. No authentication, limits,
 * queue accounting or metrics. Prints "null forwarder listening on PORT" and runs until killed.
 *
 * <p>Usage: NullForwarder [instances]
 */
public final class NullForwarder extends VerticleBase {
  private static final Map<ByteBuffer, ServerWebSocket> BY_KEY = new ConcurrentHashMap<>();
  private static final AtomicInteger PORT = new AtomicInteger(-1);

  public static void main(String[] args) {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(NullForwarder::new, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("null forwarder listening on " + PORT.get()))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    // Port -1: Vert.x binds one random port and shares it among the instances (as the relay does for port 0).
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(-1)
        .setMaxWebSocketFrameSize(RelayFrame.HARD_CAP_BYTES).setMaxWebSocketMessageSize(RelayFrame.HARD_CAP_BYTES));
    return server.webSocketHandler(this::accepted).listen().onSuccess(s -> PORT.compareAndSet(-1, s.actualPort()));
  }

  private void accepted(ServerWebSocket ws) {
    byte[][] self = new byte[1][];
    ws.textMessageHandler(key -> {
      self[0] = org.kinmesh.crypto.Hex.decode(key);
      BY_KEY.put(ByteBuffer.wrap(self[0]), ws);
      ws.writeTextMessage("ready");
    });
    ws.binaryMessageHandler(frame -> {
      if (self[0] == null || frame.length() < RelayFrame.HEADER_BYTES) {
        return;
      }
      ServerWebSocket dest = BY_KEY.get(ByteBuffer.wrap(frame.getBytes(1, RelayFrame.HEADER_BYTES)));
      if (dest != null) {
        frame.setByte(0, RelayFrame.DELIVER);
        frame.setBytes(1, self[0]);
        dest.writeBinaryMessage(frame);
      }
    });
  }
}
