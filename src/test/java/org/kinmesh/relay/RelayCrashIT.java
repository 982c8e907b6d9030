package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/**
 * A 200 to /register means committed: the relay from the fat jar is killed with SIGKILL (no
 * shutdown hook, no drain) right after answering a burst of concurrent registrations, and on
 * the same database file every answered registration is still there and its replay watermark
 * still refuses the same body.
 */
class RelayCrashIT {
  static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";
  final Identity operator = TestKeys.key(1);

  @TempDir
  Path dir;
  Process relay;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void kill() throws Exception {
    if (relay != null && relay.isAlive()) {
      relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  String startRelay() throws Exception {
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, new JsonObject().put("listen_addr", "127.0.0.1:0")
        .put("db_path", dir.resolve("relay.db").toString())
        .put("admin_pubkeys", new io.vertx.core.json.JsonArray().add(operator.publicKeyHex()))
        .put("rate_limit_per_min", 100_000).encode());
    String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
    relay = new ProcessBuilder("java", "-jar", jar, "relay", "-conf", conf.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("relay.err").toFile())).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // blocks until the relay is ready or exits
    assertThat(line).as("relay stdout; stderr: %s", Files.readString(dir.resolve("relay.err"))).isNotNull();
    Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(1);
  }

  HttpRequest post(String base, String path, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  @Test
  void everyAnsweredRegistrationSurvivesSigkill() throws Exception {
    List<Identity> keys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      keys.add(TestKeys.key(5000 + i));
    }
    String base = startRelay();
    long now = System.currentTimeMillis() / 1000;
    HttpResponse<String> chain = http.send(post(base, "/admin/register_blockchain", RegisterBlockchainRequest.sign(
        operator, "fam", GENESIS, now, keys.stream().map(Identity::publicKeyHex).toList()).toJson()),
        HttpResponse.BodyHandlers.ofString());
    assertThat(chain.statusCode()).as(chain.body()).isEqualTo(201);

    List<JsonObject> bodies = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonObject body = RegisterRequest.sign(keys.get(i), "fam", "203.0.113." + (i + 1), 20_000 + i, now).toJson();
      bodies.add(body);
      inFlight.add(http.sendAsync(post(base, "/register", body), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : inFlight) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    relay.destroyForcibly(); // SIGKILL: nothing gets flushed or drained on the way out
    assertThat(relay.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(dir.resolve("relay.err"))).doesNotContain("database closed");

    String again = startRelay();
    long later = System.currentTimeMillis() / 1000;
    for (int i = 0; i < keys.size(); i++) {
      HttpResponse<String> replay = http.send(post(again, "/register", bodies.get(i)), HttpResponse.BodyHandlers.ofString());
      assertThat(replay.statusCode()).as("replay of %d: %s", i, replay.body()).isEqualTo(409);
      assertThat(new JsonObject(replay.body()).getString("error")).isEqualTo("replayed");
      String target = keys.get(i).publicKeyHex();
      LookupSignature sig = LookupSignature.sign(keys.get(0), "fam", target, later);
      HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(again + "/lookup/fam/" + target))
          .header(LookupSignature.HEADER_REQUESTER, sig.requesterKey())
          .header(LookupSignature.HEADER_TIMESTAMP, Long.toString(sig.timestamp()))
          .header(LookupSignature.HEADER_SIGNATURE, sig.signature()).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(found.statusCode()).as("lookup of %d: %s", i, found.body()).isEqualTo(200);
      assertThat(new JsonObject(found.body()).getInteger("port")).isEqualTo(20_000 + i);
    }
  }
}
