package org.kinmesh.bench;

import com.google.crypto.tink.subtle.Ed25519Sign;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/**
 * Relay benchmark helper (not a test). Two steps, driven by bench/relay-bench.sh:
 * <pre>
 *   RelayBenchPrep admin OUTDIR
 *       writes OUTDIR/admin.seed, prints the operator public key (for the relay's admin_pubkeys)
 *   RelayBenchPrep prep RELAY_URL OUTDIR KEYS REGISTER_BODIES
 *       over HTTP: registers the blockchain with KEYS bench keys plus RESIDENTS resident keys
 *       (register_blockchain in batches of 1000), registers the residents (live entries to look
 *       up, and their session tokens); then writes, for wrk:
 *         register_warm.txt   "KEYIDX BODY"  round 0 of /register bodies, one per bench key
 *         register_bodies.txt "KEYIDX BODY"  rounds 1..R, at least REGISTER_BODIES bodies
 *         lookup_token.txt    "PATH TOKEN"
 *         lookup_signed.txt   "PATH REQUESTER TIMESTAMP SIGNATURE"  one per bench key
 * </pre>
 * Register bodies obey the replay rule: round r of key k carries timestamp base + r, and a file
 * lists round after round, so a wrk thread that owns key k (KEYIDX mod threads) sends its rounds
 * in increasing order, KEYS/threads requests apart. Each body is therefore accepted exactly once.
 */
public final class RelayBenchPrep {
  static final String CHAIN = "bench-chain";
  static final int RESIDENTS = 16;
  /**
   * Keys per register_blockchain request. Not MAX_AUTHORIZED_KEYS (1000): 1000 keys make a body
   * of about 67 KB, over the relay's 65,536-byte body limit (413 too_large).
   */
  private static final int BATCH = 900;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;

  private RelayBenchPrep(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("admin")) {
      Path dir = Path.of(args[1]);
      byte[] seed = new byte[32];
      new SecureRandom().nextBytes(seed);
      Files.writeString(dir.resolve("admin.seed"), Hex.encode(seed));
      System.out.println(Identity.fromSeed(seed).publicKeyHex());
    } else if (args.length == 5 && args[0].equals("prep")) {
      new RelayBenchPrep(args[1]).prep(Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    } else {
      System.err.println("usage: RelayBenchPrep admin OUTDIR | prep RELAY_URL OUTDIR KEYS REGISTER_BODIES");
      System.exit(2);
    }
  }

  private void prep(Path dir, int keys, int registerBodies) throws Exception {
    long t0 = System.nanoTime();
    Identity admin = Identity.fromSeed(Hex.decode(Files.readString(dir.resolve("admin.seed")).trim()));
    // Per-run random salt: fresh keys every run, deterministic within it.
    String salt = Hex.encode(randomBytes(8));
    BenchKey[] bench = IntStream.range(0, keys).parallel().mapToObj(i -> new BenchKey("bench-" + salt + "-" + i))
        .toArray(BenchKey[]::new);
    BenchKey[] residents = IntStream.range(0, RESIDENTS).mapToObj(i -> new BenchKey("resident-" + salt + "-" + i))
        .toArray(BenchKey[]::new);
    log("generated %d bench keys + %d residents in %.1fs", keys, RESIDENTS, secs(t0));

    long now = System.currentTimeMillis() / 1000;
    List<String> all = new ArrayList<>();
    for (BenchKey k : bench) {
      all.add(k.publicKeyHex());
    }
    for (BenchKey k : residents) {
      all.add(k.publicKeyHex());
    }
    all.sort(null);
    String genesis = Hex.encode(Ed25519.sha256(("bench genesis " + salt).getBytes(StandardCharsets.UTF_8)));
    int batches = (all.size() + BATCH - 1) / BATCH;
    for (int b = 0; b < batches; b++) {
      // The admin's register_blockchain timestamps must strictly increase: one second per batch.
      RegisterBlockchainRequest req = RegisterBlockchainRequest.sign(admin, CHAIN, genesis, now - batches + b,
          all.subList(b * BATCH, Math.min(all.size(), (b + 1) * BATCH)));
      expect(post("/admin/register_blockchain", req.toJson()), b == 0 ? 201 : 200, "register_blockchain");
    }
    log("registered %s with %d authorized keys in %d requests", CHAIN, all.size(), batches);

    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < RESIDENTS; i++) {
      RegisterRequest req = residents[i].register(CHAIN, "192.0.2.200", 7000 + i, now);
      HttpResponse<String> resp = expect(post("/register", req.toJson()), 200, "register resident");
      tokens.add(new JsonObject(resp.body()).getString("token"));
    }

    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("lookup_token.txt"))) {
      for (int i = 0; i < RESIDENTS; i++) {
        w.write(lookupPath(residents[(i + 1) % RESIDENTS]) + " " + tokens.get(i) + "\n");
      }
    }
    // Signed lookups: every bench key asks for a resident. No replay rule for lookups, only
    // freshness, so wrk may cycle through these; the relay verifies each one every time.
    String[] signed = IntStream.range(0, keys).parallel().mapToObj(i -> {
      BenchKey target = residents[i % RESIDENTS];
      LookupSignature s = bench[i].lookup(CHAIN, target.publicKeyHex(), now);
      return lookupPath(target) + " " + s.requesterKey() + " " + s.timestamp() + " " + s.signature();
    }).toArray(String[]::new);
    Files.write(dir.resolve("lookup_signed.txt"), List.of(signed));

    // Sanity: one of each lookup answers 200 (the wrk runs only count statuses).
    expect(get(tokens.get(0), null, lookupPath(residents[1])), 200, "token lookup");
    String[] p = signed[0].split(" ");
    expect(get(null, p, p[0]), 200, "signed lookup");
    expect(get(null, null, "/bench-baseline-not-found"), 404, "baseline");

    // Register bodies: base timestamp well inside the freshness window the harness configures.
    long baseTs = now - 1200;
    writeRegister(dir.resolve("register_warm.txt"), bench, baseTs, 0, 1);
    int rounds = Math.max(1, (registerBodies + keys - 1) / keys);
    writeRegister(dir.resolve("register_bodies.txt"), bench, baseTs, 1, rounds);
    log("wrote %d warm-up + %d measured register bodies (%d rounds), %d signed lookups; prep took %.1fs",
        keys, keys * rounds, rounds, keys, secs(t0));
    System.out.println("PREP keys=" + keys + " register_bodies=" + (long) keys * rounds + " rounds=" + rounds);
  }

  private static void writeRegister(Path file, BenchKey[] bench, long baseTs, int firstRound, int rounds)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (int r = firstRound; r < firstRound + rounds; r++) {
        long ts = baseTs + r;
        String[] lines = IntStream.range(0, bench.length).parallel().mapToObj(k -> k + " "
            + bench[k].register(CHAIN, "192.0.2.1", 1024 + k % 60000, ts).toJson().encode())
            .toArray(String[]::new);
        for (String line : lines) {
          w.write(line);
          w.write('\n');
        }
      }
    }
  }

  private static String lookupPath(BenchKey target) {
    return "/lookup/" + CHAIN + "/" + target.publicKeyHex();
  }

  /**
   * A bench node key. Tink's raw Ed25519Sign instead of {@link Identity}: building 20,000 Tink
   * keysets takes ~16 s on two cores, the raw signer a fraction of that. Same signatures (Ed25519
   * is deterministic; PROTOCOL.md §1: over SHA-256 of the canonical message, which the wire
   * records build); the relay verifies every one of them.
   */
  static final class BenchKey {
    private final Ed25519Sign signer;
    private final String publicKeyHex;

    BenchKey(String name) {
      try {
        Ed25519Sign.KeyPair pair = Ed25519Sign.KeyPair.newKeyPairFromSeed(
            Ed25519.sha256(name.getBytes(StandardCharsets.UTF_8)));
        signer = new Ed25519Sign(pair.getPrivateKey());
        publicKeyHex = Hex.encode(pair.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    String publicKeyHex() {
      return publicKeyHex;
    }

    String sign(byte[] canonicalMessage) {
      try {
        return Hex.encode(signer.sign(Ed25519.sha256(canonicalMessage)));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    RegisterRequest register(String chain, String ip, int port, long ts) {
      byte[] m = new RegisterRequest(chain, publicKeyHex, ip, port, ts, "").canonicalMessage();
      return new RegisterRequest(chain, publicKeyHex, ip, port, ts, sign(m));
    }

    LookupSignature lookup(String chain, String target, long ts) {
      byte[] m = new LookupSignature(chain, target, publicKeyHex, ts, "").canonicalMessage();
      return new LookupSignature(chain, target, publicKeyHex, ts, sign(m));
    }
  }

  private HttpResponse<String> post(String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String token, String[] signedLine, String path)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (signedLine != null) {
      b.header(LookupSignature.HEADER_REQUESTER, signedLine[1]).header(LookupSignature.HEADER_TIMESTAMP, signedLine[2])
          .header(LookupSignature.HEADER_SIGNATURE, signedLine[3]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> expect(HttpResponse<String> resp, int status, String what) {
    if (resp.statusCode() != status) {
      throw new IllegalStateException(what + ": expected HTTP " + status + ", got " + resp.statusCode() + " "
          + resp.body());
    }
    return resp;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void log(String fmt, Object... args) {
    System.err.println("prep: " + String.format(java.util.Locale.ROOT, fmt, args));
  }
}
