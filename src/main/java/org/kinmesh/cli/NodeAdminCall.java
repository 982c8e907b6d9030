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
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayAnswer;

/** One call to a node's admin API: read a resource, or sign a governance transaction and send it. */
final class NodeAdminCall {
  private NodeAdminCall() {}

  private static long lastNonce;

  /**
   * A nonce from the clock, in microseconds since the epoch: it only has to grow (gaps are allowed),
   * so no round trip to learn the last one is needed. Microseconds, not milliseconds: two commands a
   * few ms apart are still {@link org.kinmesh.chain.Mempool#SPARSE_GAP} or more apart, which proposers
   * read as the sender's numbering, not as a lost forward to wait for (docs/chain.md §1a); and they
   * stay above the millisecond nonces earlier versions wrote. Within one process each is at least
   * SPARSE_GAP above the last. Fits 2^53 until the year 2255.
   */
  static synchronized long clockNonce() {
    java.time.Instant now = java.time.Instant.now();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    lastNonce = Math.max(micros, lastNonce + org.kinmesh.chain.Mempool.SPARSE_GAP);
    return lastNonce;
  }

  /** Signs {@code payload} as the guardian, numbered by {@link #clockNonce}. */
  static Transaction sign(Identity guardian, String blockchainId, Payload payload) throws Cli.UsageException {
    Cli.requireBlockchainId(blockchainId);
    try {
      return Transaction.sign(guardian, blockchainId, clockNonce(), System.currentTimeMillis() / 1000, payload);
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException(e.getMessage());
    }
  }

  static int send(String command, String nodeUrl, HttpMethod method, String path, Transaction tx) {
    return call(command, nodeUrl, method, path, tx == null ? null : Buffer.buffer(tx.toJsonBytes()));
  }

  static int get(String command, String nodeUrl, String path) {
    return call(command, nodeUrl, HttpMethod.GET, path, null);
  }

  private static int call(String command, String nodeUrl, HttpMethod method, String path, Buffer body) {
    URI base;
    try {
      base = URI.create(nodeUrl);
    } catch (IllegalArgumentException e) {
      System.err.println(command + ": --node must look like http://127.0.0.1:8080");
      return ExitCodes.USAGE;
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
      System.err.println(command + ": --node must look like http://127.0.0.1:8080");
      return ExitCodes.USAGE;
    }
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    try {
      int port = base.getPort() > 0 ? base.getPort() : ("https".equals(base.getScheme()) ? 443 : 80);
      var request = client.request(method, port, base.getHost(), path).ssl("https".equals(base.getScheme()))
          .putHeader("content-type", "application/json").timeout(15_000);
      var response = Cli.await(body == null ? request.send() : request.sendBuffer(body), 30);
      JsonObject json;
      try {
        json = response.body() == null ? new JsonObject() : new JsonObject(response.body());
      } catch (DecodeException e) {
        json = new JsonObject().put("error", "bad_answer").put("message", "node answered non-JSON");
      }
      RelayAnswer answer = new RelayAnswer(response.statusCode(), json);
      System.out.println(json.encodePrettily());
      if (!answer.ok()) {
        String why = json.getValue("message") instanceof String m && !m.isBlank() ? ": " + m : "";
        System.err.println(command + ": node answered " + answer.status() + " " + answer.errorCode() + why);
        return ExitCodes.FAILURE;
      }
      return ExitCodes.OK;
    } catch (ExecutionException e) {
      System.err.println(command + ": cannot reach node at " + nodeUrl + ": " + e.getCause().getMessage());
      return ExitCodes.FAILURE;
    } catch (TimeoutException e) {
      System.err.println(command + ": node at " + nodeUrl + " did not answer in time");
      return ExitCodes.FAILURE;
    } finally {
      client.close();
      Cli.close(vertx);
    }
  }

}
