package org.kinmesh.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * For scripts that start a relay or node in the background: returns once URL/health answers 200,
 * so the next command does not run before the server listens.
 */
@Command(name = "wait-ready", mixinStandardHelpOptions = true,
    description = "Wait until a relay or node at URL answers GET URL/health with 200 (exit 0), "
        + "or give up after --timeout-secs (exit 1).")
final class WaitReadyCommand implements Callable<Integer> {
  private static final long POLL_MS = 100;

  @Parameters(index = "0", paramLabel = "URL", description = "the relay's or node API's base URL, e.g. http://127.0.0.1:5050")
  String url;

  @Option(names = "--timeout-secs", defaultValue = "30", description = "give up after this long (default: 30)")
  long timeoutSecs;

  @Override
  public Integer call() throws Exception {
    URI health = healthUri(url);
    if (timeoutSecs < 1 || timeoutSecs > 3600) {
      throw new Cli.UsageException("--timeout-secs must be 1..3600, not " + timeoutSecs);
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSecs);
    String last;
    while (true) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          System.err.println("kinmesh wait-ready: " + url + " ready after "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
          return ExitCodes.OK;
        }
        last = "/health answered " + r.statusCode();
      } catch (IOException e) {
        last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MS) > deadline) {
        System.err.println("kinmesh wait-ready: " + url + " not ready after " + timeoutSecs + " s (last try: " + last
            + "); is the relay or node running, and on this address? Its log says why it did not start.");
        return ExitCodes.FAILURE;
      }
      Thread.sleep(POLL_MS); // polling a server another process is starting
    }
  }

  /** URL/health for an http(s) URL with a host and no query; anything else is a usage error. */
  static URI healthUri(String url) throws Cli.UsageException {
    URI base;
    try {
      base = new URI(url);
    } catch (URISyntaxException e) {
      throw new Cli.UsageException("URL must be http://HOST:PORT or https://HOST:PORT, not '" + url + "' ("
          + e.getReason().toLowerCase(java.util.Locale.ROOT) + ")");
    }
    if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null
        || base.getQuery() != null || base.getFragment() != null) {
      throw new Cli.UsageException("URL must be http://HOST:PORT or https://HOST:PORT (optionally a path), not '"
          + url + "'");
    }
    String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + "/health");
  }
}
