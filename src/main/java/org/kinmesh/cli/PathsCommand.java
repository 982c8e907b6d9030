package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "paths", mixinStandardHelpOptions = true,
    description = "Show how a running node reaches each peer: path (direct_udp, direct_tcp, relayed, none),"
        + " endpoint, round-trip time, the peer's NAT type and why that path was chosen (from the node's /peers).")
final class PathsCommand implements Callable<Integer> {
  @Option(names = "--node", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
      description = "the node's API (default ${DEFAULT-VALUE}; see data_dir/api.port)")
  String node;

  @Option(names = "--json", description = "print the node's answer as JSON")
  boolean json;

  @Override
  public Integer call() throws Cli.UsageException {
    URI base;
    try {
      base = URI.create(node);
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException("--node must look like http://127.0.0.1:8080");
    }
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new Cli.UsageException("--node must look like http://127.0.0.1:8080");
    }
    Vertx vertx = Vertx.vertx();
    try {
      WebClient client = WebClient.create(vertx);
      int port = base.getPort() > 0 ? base.getPort() : 80;
      var response = Cli.await(client.get(port, base.getHost(), "/peers").timeout(10_000).send(), 15);
      if (response.statusCode() != 200) {
        System.err.println("paths: node answered " + response.statusCode() + " " + response.bodyAsString());
        return ExitCodes.FAILURE;
      }
      JsonArray peers;
      try {
        peers = new JsonArray(response.body());
      } catch (DecodeException | NullPointerException e) {
        System.err.println("paths: node answered something that is not a JSON list");
        return ExitCodes.FAILURE;
      }
      System.out.print(json ? peers.encodePrettily() + "\n" : table(peers));
      return ExitCodes.OK;
    } catch (ExecutionException e) {
      System.err.println("paths: cannot reach node at " + node + ": " + e.getCause().getMessage());
      return ExitCodes.FAILURE;
    } catch (TimeoutException e) {
      System.err.println("paths: node at " + node + " did not answer in time");
      return ExitCodes.FAILURE;
    } finally {
      Cli.close(vertx);
    }
  }

  /** One line per peer, fixed columns; "-" where a value is unknown. */
  static String table(JsonArray peers) {
    StringBuilder sb = new StringBuilder(String.format("%-10s %-11s %-23s %7s %-16s %s%n", "PEER", "PATH",
        "ENDPOINT", "RTT_MS", "NAT", "WHY"));
    for (Object o : peers) {
      if (!(o instanceof JsonObject p)) {
        continue;
      }
      String key = p.getString("pubkey", "");
      sb.append(String.format("%-10s %-11s %-23s %7s %-16s %s%n", key.length() > 8 ? key.substring(0, 8) : key,
          or(p.getValue("path")), or(p.getValue("endpoint")), or(p.getValue("rtt_ms")), or(p.getValue("nat")),
          or(p.getValue("why"))));
    }
    return sb.toString();
  }

  private static String or(Object v) {
    return v == null ? "-" : v.toString();
  }
}
