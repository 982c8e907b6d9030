package org.kinmesh.bench;

import com.google.crypto.tink.subtle.Ed25519Verify;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Locale;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.relay.RegisterRequest;

/**
 * Relay benchmark helper (not a test): the single-core Ed25519 rates that bound /register.
 * One thread, so one core. Prints one machine-readable line:
 * {@code VERIFY tink_per_sec=... product_per_sec=... sign_per_sec=... tink_min=... tink_max=... slices=...
 * tink_per_cpu_sec=... bc_per_sec=... jdk_per_sec=...}
 * <ul>
 *   <li>tink: {@code new Ed25519Verify(pub).verify(sig, sha256digest)}, Tink's raw verify: the issue
 *       defines the relay's bound with it;</li>
 *   <li>bc: Bouncy Castle's raw verify, the one {@link Ed25519} uses since it proved ~3x faster (so a
 *       register costs less than a Tink verification; printed so the bound it would set is visible);</li>
 *   <li>jdk: the JDK's own EdDSA ({@code Signature.getInstance("Ed25519")}), for reference;</li>
 *   <li>product: {@link Ed25519#verify(String, String, byte[])} as the relay calls it per request
 *       (hex decode + SHA-256 of the canonical message + Bouncy Castle verify);</li>
 *   <li>sign: {@link Identity#sign(byte[])} (only used to size the pre-signed body set).</li>
 * </ul>
 * Rates are the median of interleaved 200 ms slices. {@code tink_per_cpu_sec} divides by the
 * thread's CPU time instead of the wall clock: what a core does when it is not shared, so on
 * a busy machine it stays near the idle figure while tink_per_sec drops with the core's share.
 * Usage:
 * {@code Ed25519VerifyRate [warmup_secs] [measure_secs]} (defaults 3 and 5).
 */
public final class Ed25519VerifyRate {
  private static final int SAMPLES = 256;

  private Ed25519VerifyRate() {}

  public static void main(String[] args) throws GeneralSecurityException {
    double warmup = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
    double measure = args.length > 1 ? Double.parseDouble(args[1]) : 5.0;

    Identity[] ids = new Identity[SAMPLES];
    byte[][] pubs = new byte[SAMPLES][];
    byte[][] sigs = new byte[SAMPLES][];
    byte[][] msgs = new byte[SAMPLES][];
    byte[][] digests = new byte[SAMPLES][];
    String[] pubHex = new String[SAMPLES];
    String[] sigHex = new String[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      byte[] seed = Ed25519.sha256(("kinmesh-bench-verify-" + i).getBytes(StandardCharsets.UTF_8));
      ids[i] = Identity.fromSeed(seed);
      RegisterRequest req = RegisterRequest.sign(ids[i], "bench-chain", "192.0.2.1", 7000 + i, 1_700_000_000L + i);
      msgs[i] = req.canonicalMessage();
      digests[i] = Ed25519.sha256(msgs[i]);
      pubHex[i] = req.publicKey();
      sigHex[i] = req.signature();
      pubs[i] = Hex.decode(pubHex[i]);
      sigs[i] = Hex.decode(sigHex[i]);
    }

    // Warm-up: let the JIT compile every path before any is measured.
    long until = System.nanoTime() + (long) (warmup * 1e9);
    while (System.nanoTime() < until) {
      tinkBatch(pubs, sigs, digests);
      bcBatch(pubs, sigs, digests);
      productBatch(pubHex, sigHex, msgs);
      signBatch(ids, msgs, 16);
    }

    // Interleaved 200 ms slices, so a burst from a noisy neighbour or a late JIT compilation
    // hits every verify path alike; the median slice is the rate (robust to such bursts).
    int slices = Math.max(3, (int) Math.round(measure / 0.2 / 4.2));
    double[] tink = new double[slices];
    double[] tinkCpu = new double[slices];
    double[] product = new double[slices];
    double[] bc = new double[slices];
    double[] jdk = new double[slices];
    java.security.PublicKey[] jdkKeys = jdkKeys(pubs);
    for (int i = 0; i < slices; i++) {
      double[] t = rate(0.2, () -> tinkBatch(pubs, sigs, digests));
      tink[i] = t[0];
      tinkCpu[i] = t[1];
      product[i] = rate(0.2, () -> productBatch(pubHex, sigHex, msgs))[0];
      bc[i] = rate(0.2, () -> bcBatch(pubs, sigs, digests))[0];
      jdk[i] = rate(0.2, () -> jdkBatch(jdkKeys, sigs, digests))[0];
    }
    double sign = rate(0.2 * slices * 0.2, () -> signBatch(ids, msgs, SAMPLES))[0];
    Arrays.sort(tink);
    Arrays.sort(tinkCpu);
    Arrays.sort(product);
    Arrays.sort(bc);
    Arrays.sort(jdk);
    System.out.println(String.format(Locale.ROOT,
        "VERIFY tink_per_sec=%.0f product_per_sec=%.0f sign_per_sec=%.0f tink_min=%.0f tink_max=%.0f slices=%d "
            + "tink_per_cpu_sec=%.0f bc_per_sec=%.0f jdk_per_sec=%.0f",
        median(tink), median(product), sign, tink[0], tink[slices - 1], slices, median(tinkCpu), median(bc),
        median(jdk)));
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private interface Batch {
    int run() throws GeneralSecurityException;
  }

  /** {ops per wall-clock second, ops per second of this thread's CPU time}. */
  private static double[] rate(double seconds, Batch batch) throws GeneralSecurityException {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = mx.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long until = start + (long) (seconds * 1e9);
    long ops = 0;
    long now;
    do {
      ops += batch.run();
      now = System.nanoTime();
    } while (now < until);
    long cpu = mx.getCurrentThreadCpuTime() - cpuStart;
    return new double[] {ops / ((now - start) / 1e9), ops / (Math.max(cpu, 1) / 1e9)};
  }

  private static int tinkBatch(byte[][] pubs, byte[][] sigs, byte[][] digests) throws GeneralSecurityException {
    for (int i = 0; i < SAMPLES; i++) {
      new Ed25519Verify(pubs[i]).verify(sigs[i], digests[i]); // throws if it does not verify
    }
    return SAMPLES;
  }

  private static int bcBatch(byte[][] pubs, byte[][] sigs, byte[][] digests) {
    for (int i = 0; i < SAMPLES; i++) {
      if (!org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sigs[i], 0, pubs[i], 0, digests[i], 0, digests[i].length)) {
        throw new IllegalStateException("sample " + i + " does not verify");
      }
    }
    return SAMPLES;
  }

  /** X.509 SubjectPublicKeyInfo of a raw Ed25519 key: the fixed 12-byte prefix, then the key. */
  private static java.security.PublicKey[] jdkKeys(byte[][] pubs) throws GeneralSecurityException {
    java.security.KeyFactory kf = java.security.KeyFactory.getInstance("Ed25519");
    byte[] prefix = Hex.decode("302a300506032b6570032100");
    java.security.PublicKey[] out = new java.security.PublicKey[pubs.length];
    for (int i = 0; i < pubs.length; i++) {
      byte[] der = Arrays.copyOf(prefix, prefix.length + 32);
      System.arraycopy(pubs[i], 0, der, prefix.length, 32);
      out[i] = kf.generatePublic(new java.security.spec.X509EncodedKeySpec(der));
    }
    return out;
  }

  private static int jdkBatch(java.security.PublicKey[] keys, byte[][] sigs, byte[][] digests)
      throws GeneralSecurityException {
    for (int i = 0; i < SAMPLES; i++) {
      java.security.Signature v = java.security.Signature.getInstance("Ed25519");
      v.initVerify(keys[i]);
      v.update(digests[i]);
      if (!v.verify(sigs[i])) {
        throw new IllegalStateException("sample " + i + " does not verify");
      }
    }
    return SAMPLES;
  }

  private static int productBatch(String[] pubHex, String[] sigHex, byte[][] msgs) {
    for (int i = 0; i < SAMPLES; i++) {
      if (!Ed25519.verify(pubHex[i], sigHex[i], msgs[i])) {
        throw new IllegalStateException("sample " + i + " does not verify");
      }
    }
    return SAMPLES;
  }

  private static int signBatch(Identity[] ids, byte[][] msgs, int n) {
    int acc = 0;
    for (int i = 0; i < n; i++) {
      acc += ids[i].sign(msgs[i]).length();
    }
    if (acc == 0) {
      throw new IllegalStateException();
    }
    return n;
  }
}
