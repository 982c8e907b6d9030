package org.kinmesh.net;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request body up to a byte limit, refusing more before anything is parsed: a declared
 * Content-Length over the limit at once, a chunked body as soon as it crosses the limit. Unlike
 * Vert.x's BodyHandler it never decodes forms or uploads, so the body reaches the protocol
 * code byte for byte whatever Content-Type the client claims.
 */
public final class BoundedBody implements Handler<RoutingContext> {
  public static final String KEY = "kinmesh.body";

  private final int limit;
  private final Handler<RoutingContext> tooLarge;

  public BoundedBody(int limit, Handler<RoutingContext> tooLarge) {
    this.limit = limit;
    this.tooLarge = tooLarge;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        length = Long.MAX_VALUE;
      }
      if (length > limit) {
        tooLarge.handle(ctx);
        return;
      }
    }
    if (request.isEnded()) {
      ctx.next();
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        refused[0] = true;
        tooLarge.handle(ctx);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        ctx.put(KEY, body);
        ctx.next();
      }
    });
    request.exceptionHandler(err -> refused[0] = true);
    request.resume();
  }

  public static byte[] bytes(RoutingContext ctx) {
    Buffer b = ctx.get(KEY);
    return b == null ? new byte[0] : b.getBytes();
  }
}
