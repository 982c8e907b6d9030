package org.kinmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay started from the fat jar answers a client written against PROTOCOL.md only: this
 * class uses the JDK's own Ed25519, SHA-256 and HTTP client, and no kinmesh code at all. Keys
 * and expected public keys come from the shared test vectors.
 */
class RelayJarIT {
  static final String NODE_A_SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final String NODE_A_PUB = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
  static final String NODE_B_SEED = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
  static final String NODE_B_PUB = "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7";
  static final String ADMIN_SEED = "0707070707070707070707070707070707070707070707070707070707070707";
  static final String ADMIN_PUB = "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";
  static final String GENESIS = "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e";

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

  /** Starts `java -jar kinmesh.jar relay -conf FILE` and returns its base URL, read from its stdout. */
  String startRelay() throws Exception {
    Path conf = dir.resolve("relay.json");
    Files.writeString(conf, "{\"listen_addr\": \"127.0.0.1:0\", \"db_path\": \"" + dir.resolve("relay.db")
        + "\", \"admin_pubkeys\": [\"" + ADMIN_PUB + "\"]}");
    String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
    relay = new ProcessBuilder("java", "-jar", jar, "relay", "-conf", conf.toString())
        .redirectError(dir.resolve("relay.err").toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // blocks until the relay is ready or exits
    assertThat(line).as("relay stdout; stderr: %s", Files.readString(dir.resolve("relay.err"))).isNotNull();
    Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(1);
  }

  static String sign(String seedHex, String canonical) throws Exception {
    PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
        new EdECPrivateKeySpec(NamedParameterSpec.ED25519, HexFormat.of().parseHex(seedHex)));
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key);
    s.update(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    return HexFormat.of().formatHex(s.sign());
  }

  HttpResponse<String> post(String base, String path, String json) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void independentClientRegistersAndLooksUp() throws Exception {
    String base = startRelay();
    long ts = System.currentTimeMillis() / 1000;

    String keys = NODE_A_PUB + "," + NODE_B_PUB;
    String regChainSig = sign(ADMIN_SEED, "kinmesh-relay-register-blockchain-v1\nfamily_network_001\n" + GENESIS + "\n"
        + ADMIN_PUB + "\n" + ts + "\n" + keys);
    HttpResponse<String> chain = post(base, "/admin/register_blockchain", "{\"blockchain_id\":\"family_network_001\","
        + "\"genesis_hash\":\"" + GENESIS + "\",\"admin_pubkey\":\"" + ADMIN_PUB + "\",\"timestamp\":" + ts
        + ",\"admin_signature\":\"" + regChainSig + "\",\"authorized_pubkeys\":[\"" + NODE_A_PUB + "\",\"" + NODE_B_PUB
        + "\"]}");
    assertThat(chain.statusCode()).as(chain.body()).isEqualTo(201);

    String regSig = sign(NODE_A_SEED, "kinmesh-relay-register-v1\nfamily_network_001\n" + NODE_A_PUB
        + "\n203.0.113.10\n40000\n" + ts);
    HttpResponse<String> reg = post(base, "/register", "{\"blockchain_id\":\"family_network_001\",\"public_key\":\""
        + NODE_A_PUB + "\",\"ip\":\"203.0.113.10\",\"port\":40000,\"timestamp\":" + ts + ",\"signature\":\"" + regSig + "\"}");
    assertThat(reg.statusCode()).as(reg.body()).isEqualTo(200);
    assertThat(reg.body()).contains("\"status\":\"ok\"").contains("\"observed_ip\":\"127.0.0.1\"").contains("\"token\":\"");

    String lookupSig = sign(NODE_B_SEED, "kinmesh-relay-lookup-v1\nfamily_network_001\n" + NODE_A_PUB + "\n"
        + NODE_B_PUB + "\n" + ts);
    HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base + "/lookup/family_network_001/"
            + NODE_A_PUB)).header("X-Kinmesh-Requester", NODE_B_PUB).header("X-Kinmesh-Timestamp", Long.toString(ts))
        .header("X-Kinmesh-Signature", lookupSig).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    assertThat(found.body()).contains("\"ip\":\"203.0.113.10\"").contains("\"port\":40000")
        .contains("\"public_key\":\"" + NODE_A_PUB + "\"");

    // the same register again is a replay
    HttpResponse<String> replay = post(base, "/register", "{\"blockchain_id\":\"family_network_001\",\"public_key\":\""
        + NODE_A_PUB + "\",\"ip\":\"203.0.113.10\",\"port\":40000,\"timestamp\":" + ts + ",\"signature\":\"" + regSig + "\"}");
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(replay.body()).contains("\"error\":\"replayed\"");

    // SIGTERM: the relay drains and exits cleanly; a restart on the same file keeps the registration
    relay.destroy();
    assertThat(relay.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(dir.resolve("relay.err"))).contains("database closed");
    String base2 = startRelay();
    String lookupSig2 = sign(NODE_B_SEED, "kinmesh-relay-lookup-v1\nfamily_network_001\n" + NODE_A_PUB + "\n"
        + NODE_B_PUB + "\n" + ts);
    HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(base2 + "/lookup/family_network_001/"
            + NODE_A_PUB)).header("X-Kinmesh-Requester", NODE_B_PUB).header("X-Kinmesh-Timestamp", Long.toString(ts))
        .header("X-Kinmesh-Signature", lookupSig2).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
  }

  @Test
  void badConfigStopsStartUpNamingTheKey() throws Exception {
    Path conf = dir.resolve("bad.json");
    Files.writeString(conf, "{\"ttl_secs\": \"soon\"}");
    String jar = System.getProperty("kinmesh.jar", "target/kinmesh.jar");
    Process p = new ProcessBuilder("java", "-jar", jar, "relay", "-conf", conf.toString()).redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output).contains("config 'ttl_secs': must be an integer");
  }
}
