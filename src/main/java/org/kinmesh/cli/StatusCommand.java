package org.kinmesh.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.kinmesh.config.ConfigException;
import org.kinmesh.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "One screen about a running node: chain, height and head age, quorum and who is missing, this"
        + " node's standing, and one line per peer with its path and, when it is not direct, why.")
final class StatusCommand implements Callable<Integer> {
  private static final Duration ASK = Duration.ofSeconds(10);

  @Option(names = "--node", paramLabel = "URL",
      description = "the node's API (default: from -conf's data_dir/api.port or api_listen, else http://127.0.0.1:8080)")
  String node;

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE", description = "the node's JSON config, to find its API")
  Path conf;

  @Option(names = "--json", description = "also print the gathered object as JSON, as the last line")
  boolean json;

  @Override
  public Integer call() throws Cli.UsageException {
    if (node != null && conf != null) {
      throw new Cli.UsageException("give --node or -conf, not both");
    }
    String url;
    try {
      url = node != null ? node : conf != null ? fromConfig(conf) : "http://127.0.0.1:8080";
    } catch (ConfigException e) {
      System.err.println("status: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    URI base = NodeHttp.checkUrl(url);
    String root = base.getScheme() + "://" + base.getRawAuthority();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(ASK).build();
    try {
      JsonObject status = new JsonObject(need(http, root, "/status"));
      JsonArray peers = new JsonArray(need(http, root, "/peers"));
      // Names and head time from the dashboard's snapshot; suspension from the admin API (loopback only).
      JsonObject snapshot = object(optional(http, root, "/dashboard/snapshot"));
      JsonObject nodes = object(optional(http, root, "/admin/nodes/status"));
      JsonObject audit = object(optional(http, root, "/admin/audit"));
      JsonObject g = StatusView.gather(url, status, peers, snapshot, nodes,
          audit == null ? null : audit.getJsonArray("entries"));
      System.out.print(StatusView.render(g));
      if (json) {
        System.out.println(g.encode());
      }
      return ExitCodes.OK;
    } catch (IOException e) {
      System.err.println("status: cannot reach node at " + url + ": " + e.getMessage()
          + " (is it running? start it with: kinmesh node -conf node.json)");
      return ExitCodes.FAILURE;
    } catch (Answered e) {
      System.err.println("status: " + e.getMessage());
      return ExitCodes.FAILURE;
    } catch (DecodeException | ClassCastException e) {
      System.err.println("status: node at " + url + " answered something that is not the JSON it should be");
      return ExitCodes.FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILURE;
    }
  }

  /** The node's API from its config: the port it wrote to data_dir/api.port (api_listen port 0), else api_listen. */
  static String fromConfig(Path conf) throws ConfigException {
    NodeConfig c = NodeConfig.fromJson(RelayCommand.readJson(conf), System.getenv(), null,
        conf.toAbsolutePath().getParent());
    String host = c.apiListen().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    int port = c.apiListen().port();
    Path written = c.apiPortFile();
    if (Files.isRegularFile(written)) {
      try {
        port = Integer.parseInt(Files.readString(written).trim());
      } catch (IOException | NumberFormatException e) {
        throw new ConfigException("data_dir", "cannot read the API port from " + written + ": " + e.getMessage());
      }
    }
    if (port == 0) {
      throw new ConfigException("api_listen", "port 0 and no " + written + " yet: is the node running?");
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static JsonObject object(String body) {
    return body == null ? null : new JsonObject(body);
  }

  /** A non-200 answer to a request the screen cannot do without. */
  private static final class Answered extends Exception {
    Answered(String message) {
      super(message);
    }
  }

  private static String need(HttpClient http, String root, String path)
      throws IOException, InterruptedException, Answered {
    HttpResponse<String> r = get(http, root, path);
    if (r.statusCode() != 200) {
      throw new Answered("node at " + root + " answered " + path + " with " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** The body of a 200 answer, or null (a refusal, e.g. the admin API from another machine). */
  private static String optional(HttpClient http, String root, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(http, root, path);
    return r.statusCode() == 200 ? r.body() : null;
  }

  private static HttpResponse<String> get(HttpClient http, String root, String path)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(root + path)).timeout(ASK).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
