package org.kinmesh.net;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error answers below and beside the routes: requests Vert.x cannot decode get the JSON of
 * PROTOCOL.md §2 like every other error, and a refused request whose body was not read closes
 * its connection instead of draining what the client keeps sending.
 */
public final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  public static final String JSON = "application/json";

  private HttpErrors() {}

  /**
   * For {@code HttpServer.invalidRequestHandler}: 414 for a request line over
   * {@code maxInitialLine}, 431 for headers over {@code maxHeaders}, 413 for a Content-Length no
   * body limit could meet, 400 otherwise; always with Connection: close, then closed.
   */
  public static Handler<HttpServerRequest> invalidRequests(String server, int maxInitialLine, int maxHeaders) {
    return req -> {
      Throwable cause = req.decoderResult().cause();
      int status;
      String code;
      String message;
      if (cause instanceof TooLongHttpLineException) {
        status = 414;
        code = "too_large";
        message = "request line over " + maxInitialLine + " bytes";
      } else if (cause instanceof TooLongHttpHeaderException) {
        status = 431;
        code = "too_large";
        message = "request headers over " + maxHeaders + " bytes";
      } else if (hugeContentLength(req)) {
        status = 413;
        code = "too_large";
        message = "Content-Length beyond any body limit";
      } else {
        status = 400;
        code = "malformed";
        message = "not a valid HTTP/1.1 request";
      }
      LOG.debug("op=http server={} from={} refused={} cause={}", server,
          req.remoteAddress() == null ? "?" : req.remoteAddress().hostAddress(), status, String.valueOf(cause));
      HttpServerResponse resp = req.response().setStatusCode(status).putHeader("content-type", JSON)
          .putHeader("connection", "close");
      resp.end(error(code, message)).onComplete(ar -> req.connection().close());
    };
  }

  /** {"error": code, "message": message}. */
  public static String error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }

  /**
   * Ends an error answer; when the request's body was not read (refused by its size, say), says
   * Connection: close and closes once the answer is out, so nothing more is read from it.
   */
  public static void endRefusal(HttpServerRequest req, HttpServerResponse resp, String body) {
    boolean unread = !req.isEnded() && req.version() != HttpVersion.HTTP_2;
    if (unread) {
      resp.putHeader("connection", "close");
    }
    resp.end(body).onComplete(ar -> {
      if (unread) {
        req.connection().close();
      }
    });
  }

  /** A Content-Length of digits only that does not fit a long (Netty refuses it as unparsable). */
  private static boolean hugeContentLength(HttpServerRequest req) {
    String cl = req.headers().get("content-length");
    if (cl == null) {
      return false;
    }
    String t = cl.trim();
    return t.length() >= 19 && t.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
