package org.kinmesh.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * A TCP pass-through on loopback (port 0) in front of a server, keeping every byte clients sent
 * through it: what the server received, captured on its doorstep. Connections that open with a
 * WebSocket upgrade are kept apart from plain HTTP ones, so a test can look at the HTTP requests
 * alone. The target port is read when a client connects (the server may start after the proxy).
 */
public final class RecordingProxy implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final NetServer server;
  private final NetClient client;
  private final List<Buffer> http = new ArrayList<>();
  private final List<Buffer> upgrades = new ArrayList<>();

  public RecordingProxy(IntSupplier targetPort) {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      Buffer seen = Buffer.buffer();
      client.connect(targetPort.getAsInt(), "127.0.0.1").onSuccess(out -> {
        in.handler(b -> {
          synchronized (this) {
            if (seen.length() == 0) {
              String head = b.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
              (head.contains("upgrade: websocket") ? upgrades : http).add(seen);
            }
            seen.appendBuffer(b);
          }
          out.write(b);
        });
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(e -> in.close());
    });
    Await.result(server.listen(0, "127.0.0.1"));
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Every byte clients sent on plain HTTP connections so far, in one string (ISO-8859-1). */
  public synchronized String httpBytes() {
    StringBuilder sb = new StringBuilder();
    http.forEach(b -> sb.append(b.toString(StandardCharsets.ISO_8859_1)));
    return sb.toString();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }

}
