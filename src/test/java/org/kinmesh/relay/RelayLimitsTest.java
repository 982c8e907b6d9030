package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.relay.RelayHttpTest.assertError;
import static org.kinmesh.relay.RelayHttpTest.json;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/** Size limits, rate limits, proxies, TLS and concurrency, against a real relay. */
class RelayLimitsTest {
  final Identity operator = TestKeys.key(1);
  final Identity alice = TestKeys.key(2);
  final Identity bob = TestKeys.key(3);
  @TempDir
  Path dir;
  TestRelay relay;

  @AfterEach
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  long now() {
    return relay.clock.nowSeconds();
  }

  void chain(Identity... keys) throws Exception {
    List<String> hex = java.util.Arrays.stream(keys).map(Identity::publicKeyHex).toList();
    HttpResponse<String> r = relay.post("/admin/register_blockchain",
        RegisterBlockchainRequest.sign(operator, "fam", RelayHttpTest.GENESIS, now(), hex).toJson());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void oversizedBodyWithDeclaredLengthIsRefused() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
    chain(alice);
    String big = "{\"pad\":\"" + "x".repeat(70_000) + "\"}";
    assertError(relay.post("/register", big), 413, "too_large");
    // exactly at the limit is parsed (and then refused for what it says, not its size)
    String atLimit = "{\"pad\":\"" + "x".repeat(65_536 - 10) + "\"}";
    assertThat(atLimit.length()).isEqualTo(65_536);
    assertError(relay.post("/register", atLimit), 400, "malformed");
  }

  @Test
  void theBodyIsReadAsBytesWhateverTheContentType() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
    chain(alice);
    // curl -d sends application/x-www-form-urlencoded; a form decoder would mangle "%zz"
    JsonObject body = RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()).toJson().put("pad", "%zz&a=b");
    HttpResponse<String> r = relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void behindATrustedProxyTheObservedPortIsTheOneTheProxyReports() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject().put("trusted_proxies", new JsonArray().add("127.0.0.1")));
    chain(alice, bob);
    HttpResponse<String> withPort = relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
        .header("X-Forwarded-For", "192.0.2.44").header("X-Kinmesh-Client-Port", "44862")
        .POST(HttpRequest.BodyPublishers.ofString(RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now())
            .toJson().encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(json(withPort).getString("observed_ip")).isEqualTo("192.0.2.44");
    assertThat(json(withPort).getInteger("observed_port")).isEqualTo(44862);
    HttpResponse<String> without = relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
        .header("X-Forwarded-For", "192.0.2.45")
        .POST(HttpRequest.BodyPublishers.ofString(RegisterRequest.sign(bob, "fam", "203.0.113.11", 40000, now())
            .toJson().encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(json(without).getInteger("observed_port")).as("unknown, not the proxy's port").isZero();
  }

  @Test
  void oversizedChunkedBodyIsRefusedWhileStreaming() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
    try (Socket s = new Socket("127.0.0.1", relay.relay.boundPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /register HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = "x".repeat(16_384).getBytes(StandardCharsets.US_ASCII);
      String status = null;
      try {
        for (int i = 0; i < 8; i++) {   // 128 KiB, never terminated: the relay must not wait for the end
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (java.io.IOException closedByRelay) {
        // the relay may close the connection as soon as it has answered
      }
      status = readResponse(s.getInputStream());
      assertThat(status).startsWith("HTTP/1.1 413").contains("\"error\":\"too_large\"");
    }
  }

  private static String readResponse(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    int n;
    while ((n = in.read(b)) > 0) {
      buf.write(b, 0, n);
      String text = buf.toString(StandardCharsets.US_ASCII);
      if (text.contains("}")) {
        return text;
      }
    }
    return buf.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void perIpRateLimitAnswers429WithRetryAfterUntilTheMinuteHasPassed() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject().put("rate_limit_per_min", 5));
    for (int i = 0; i < 5; i++) {
      assertThat(relay.get("/lookup/fam/" + alice.publicKeyHex()).statusCode()).isEqualTo(404);
    }
    HttpResponse<String> limited = relay.get("/lookup/fam/" + alice.publicKeyHex());
    assertError(limited, 429, "rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("61");
    // /health and /metrics are exempt
    assertThat(relay.get("/health").statusCode()).isEqualTo(200);
    assertThat(relay.get("/metrics").statusCode()).isEqualTo(200);
    relay.clock.advanceSeconds(60);
    assertError(relay.get("/lookup/fam/" + alice.publicKeyHex()), 429, "rate_limited");
    relay.clock.advanceSeconds(1); // the first five have left the window: a new budget of five
    for (int i = 0; i < 5; i++) {
      assertThat(relay.get("/lookup/fam/" + alice.publicKeyHex()).statusCode()).isEqualTo(404);
    }
    assertError(relay.get("/lookup/fam/" + alice.publicKeyHex()), 429, "rate_limited");
  }

  @Test
  void perKeyRateLimitCountsOnlyVerifiedRequests() throws Exception {
    // 127.0.0.1 is a trusted proxy, so each request can come from its own client address.
    relay = new TestRelay(dir, operator, new JsonObject().put("rate_limit_per_min", 3)
        .put("trusted_proxies", new JsonArray().add("127.0.0.1")));
    chain(alice, bob);
    int ip = 1;
    // forged requests in alice's name (bad signature) do not use up her budget
    for (int i = 0; i < 5; i++) {
      JsonObject forged = RegisterRequest.sign(alice, "fam", "203.0.113.10", 1, now() + i).toJson().put("port", 2);
      assertError(postFrom("198.51.100." + ip++, forged), 401, "invalid_signature");
    }
    // the admin used 1 of 3 for its own key; alice has 3
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = postFrom("198.51.100." + ip++,
          RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now() + i).toJson());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }
    HttpResponse<String> limited = postFrom("198.51.100." + ip++,
        RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now() + 10).toJson());
    assertError(limited, 429, "rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    // bob's budget is his own
    assertThat(postFrom("198.51.100." + ip, RegisterRequest.sign(bob, "fam", "203.0.113.11", 40000, now()).toJson())
        .statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> postFrom(String clientIp, JsonObject body) throws Exception {
    return relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
        .header("content-type", "application/json").header("X-Forwarded-For", clientIp)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardedForIsBelievedOnlyFromTrustedProxies() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
    chain(alice);
    HttpResponse<String> untrusted = postFromWithHeader(RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()));
    assertThat(json(untrusted).getString("observed_ip")).isEqualTo("127.0.0.1");
    relay.close();
    relay = new TestRelay(dir, operator, new JsonObject().put("trusted_proxies", new JsonArray().add("127.0.0.0/8")),
        relay.clock);
    relay.clock.advanceSeconds(1);
    HttpResponse<String> trusted = postFromWithHeader(RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()));
    assertThat(json(trusted).getString("observed_ip")).isEqualTo("192.0.2.44");
  }

  private HttpResponse<String> postFromWithHeader(RegisterRequest req) throws Exception {
    return relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
        .header("content-type", "application/json").header("X-Forwarded-For", "10.9.9.9, 192.0.2.44")
        .POST(HttpRequest.BodyPublishers.ofString(req.toJson().encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoHundredKeysRegisteringConcurrentlyLoseNothing() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject().put("rate_limit_per_min", 100_000));
    List<Identity> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add(TestKeys.key(2000 + i));
    }
    chain(keys.toArray(new Identity[0]));
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      RegisterRequest req = RegisterRequest.sign(keys.get(i), "fam", "203.0.113." + (i % 250 + 1), 10_000 + i, now());
      inFlight.add(relay.http.sendAsync(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(req.toJson().encode()))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : inFlight) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    // every one is in the database and answers a lookup, also after a restart
    relay.restart();
    for (int i = 0; i < keys.size(); i++) {
      HttpResponse<String> found = relay.http.send(HttpRequest.newBuilder(URI.create(relay.base() + "/lookup/fam/"
          + keys.get(i).publicKeyHex())).header("X-Kinmesh-Requester", keys.get(0).publicKeyHex())
          .header("X-Kinmesh-Timestamp", Long.toString(now()))
          .header("X-Kinmesh-Signature", org.kinmesh.wire.relay.LookupSignature.sign(keys.get(0), "fam",
              keys.get(i).publicKeyHex(), now()).signature())
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
      assertThat(json(found).getInteger("port")).isEqualTo(10_000 + i);
    }
  }

  @Test
  void concurrentCopiesOfOneRegistrationLandExactlyOnce() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject());
    chain(alice);
    String body = RegisterRequest.sign(alice, "fam", "203.0.113.10", 40000, now()).toJson().encode();
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      inFlight.add(relay.http.sendAsync(HttpRequest.newBuilder(URI.create(relay.base() + "/register"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    int replayed = 0;
    for (CompletableFuture<HttpResponse<String>> f : inFlight) {
      HttpResponse<String> r = f.get();
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertError(r, 409, "replayed");
        replayed++;
      }
    }
    assertThat(ok).isEqualTo(1);
    assertThat(replayed).isEqualTo(19);
  }

  @Test
  void servesNativeHttps() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    relay = new TestRelay(dir, operator, new JsonObject().put("tls", new JsonObject()
        .put("cert_path", cert.certificatePath()).put("key_path", cert.privateKeyPath())));
    Vertx vertx = relay.vertx;
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
    var resp = Await.result(client.request(HttpMethod.GET, relay.relay.boundPort(), "127.0.0.1", "/health").send());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.bodyAsJsonObject().getString("status")).isEqualTo("ok");
    // plain HTTP to the TLS port gets no answer it could mistake for the relay's
    var plain = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2000).setIdleTimeout(2));
    Throwable err = Await.failure(plain.get(relay.relay.boundPort(), "127.0.0.1", "/health").timeout(3000).send()
        .compose(r -> r.statusCode() == 200 ? io.vertx.core.Future.succeededFuture(r)
            : io.vertx.core.Future.failedFuture("status " + r.statusCode())));
    assertThat(err).isNotNull();
    client.close();
    plain.close();
  }

  @Test
  void relayHttpClientSpeaksTheProtocol() throws Exception {
    relay = new TestRelay(dir, operator, new JsonObject(),
        new org.kinmesh.util.ManualTimeSource(System.currentTimeMillis()));
    RelayHttpClient client = new RelayHttpClient(relay.vertx, relay.base(), relay.clock);
    RelayAnswer reg = Await.result(client.registerBlockchain(operator, "fam", RelayHttpTest.GENESIS,
        List.of(alice.publicKeyHex(), bob.publicKeyHex())));
    assertThat(reg.status()).isEqualTo(201);
    RelayAnswer a = Await.result(client.register(alice, "fam", "203.0.113.10", 40000));
    assertThat(a.ok()).isTrue();
    RelayAnswer b = Await.result(client.register(bob, "fam", "203.0.113.11", 40001));
    RelayAnswer viaToken = Await.result(client.lookupWithToken(b.body().getString("token"), "fam", alice.publicKeyHex()));
    assertThat(viaToken.body().getInteger("port")).isEqualTo(40000);
    RelayAnswer viaSig = Await.result(client.lookupSigned(alice, "fam", bob.publicKeyHex()));
    assertThat(viaSig.body().getInteger("port")).isEqualTo(40001);
    RelayAnswer denied = Await.result(client.lookupSigned(operator, "fam", bob.publicKeyHex()));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.errorCode()).isEqualTo("unauthorized");
    client.close();
  }
}
