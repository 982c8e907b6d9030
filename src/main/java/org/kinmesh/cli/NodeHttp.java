package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A blocking JSON client for one node's HTTP API, for one-shot commands: the URL is checked once
 * here, and every failure becomes a {@link Failure} whose message names the node and what to do.
 */
final class NodeHttp implements AutoCloseable {
  /** One answer: HTTP status and JSON body (non-JSON bodies become {"error":"bad_answer"}). */
  record Answer(int status, JsonObject body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    String error() {
      return body.getValue("error") instanceof String e ? e : "unknown";
    }

    /** "400 insufficient_permission: sender may not ..." */
    String describe() {
      String why = body.getValue("message") instanceof String m && !m.isBlank() ? ": " + m : "";
      return status + " " + error() + why;
    }
  }

  /** The node could not be asked (down, wrong address, no answer in time). */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  final String url;
  private final URI base;
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);

  private NodeHttp(String url, URI base) {
    this.url = url;
    this.base = base;
  }

  static NodeHttp open(String url) throws Cli.UsageException {
    return new NodeHttp(url, checkUrl(url));
  }

  /** --node must be an http(s) URL with a host. */
  static URI checkUrl(String url) throws Cli.UsageException {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null || !"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
      throw new Cli.UsageException("--node must look like http://127.0.0.1:8080 (got '" + url + "')");
    }
    return u;
  }

  Answer get(String path) throws Failure {
    return call(HttpMethod.GET, path, null);
  }

  Answer post(String path, byte[] body) throws Failure {
    return call(HttpMethod.POST, path, Buffer.buffer(body));
  }

  /** GET whose body is kept byte for byte (a file to store, such as the genesis); status and bytes. */
  record Raw(int status, byte[] body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  Raw getRaw(String path) throws Failure {
    var response = send(HttpMethod.GET, path, null);
    return new Raw(response.statusCode(), response.body() == null ? new byte[0] : response.body().getBytes());
  }

  private Answer call(HttpMethod method, String path, Buffer body) throws Failure {
    var response = send(method, path, body);
    JsonObject json;
    try {
      json = response.body() == null || response.body().length() == 0 ? new JsonObject()
          : new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      json = new JsonObject().put("error", "bad_answer").put("message", "node answered non-JSON");
    }
    return new Answer(response.statusCode(), json);
  }

  private io.vertx.ext.web.client.HttpResponse<Buffer> send(HttpMethod method, String path, Buffer body)
      throws Failure {
    boolean tls = "https".equals(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
    var request = client.request(method, port, base.getHost(), path).ssl(tls)
        .putHeader("content-type", "application/json").timeout(15_000);
    try {
      return Cli.await(body == null ? request.send() : request.sendBuffer(body), 30);
    } catch (ExecutionException e) {
      throw new Failure("cannot reach node at " + url + ": " + e.getCause().getMessage()
          + " (is it running? start it with: kinmesh node -conf node.json)");
    } catch (TimeoutException e) {
      throw new Failure("node at " + url + " did not answer within 30 s");
    }
  }

  @Override
  public void close() {
    client.close();
    Cli.close(vertx);
  }
}
