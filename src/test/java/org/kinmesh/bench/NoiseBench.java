package org.kinmesh.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.noise.HandshakePattern;
import org.kinmesh.crypto.noise.NoiseHash;
import org.kinmesh.session.ChainBinding;
import org.kinmesh.session.DropReason;
import org.kinmesh.session.HandshakeRefusal;
import org.kinmesh.session.HandshakeTimestamps;
import org.kinmesh.session.InitiationReplayGuard;
import org.kinmesh.session.Members;
import org.kinmesh.session.ReasonCounts;
import org.kinmesh.session.RekeyPolicy;
import org.kinmesh.session.SessionHandshake;
import org.kinmesh.session.SessionKeys;
import org.kinmesh.session.TransportSession;

/**
 * The session layer's CPU cost (bench/noise-bench.sh): a full IK handshake with the kinmesh
 * payload checks, CPU time per side (target <= 0.5 ms), for SHA256 (the default) and BLAKE2s;
 * and transport frames of 1 KiB sealed and opened on one thread, MB of payload per CPU-second
 * (target >= 100 MB/s per core). CPU time is the thread's own (ThreadMXBean), so other load on
 * the machine slows the wall clock but not the figure. Exit code 3 when a target is missed.
 *
 * <p>Usage: NoiseBench [handshakes=2000] [frames=200000] [frameBytes=1024]
 */
public final class NoiseBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final double HANDSHAKE_TARGET_MS = 0.5;
  private static final double THROUGHPUT_TARGET_MBS = 100;

  public static void main(String[] args) throws Exception {
    int handshakes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int frames = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int frameBytes = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    boolean ok = true;

    Identity alice = Identity.generate();
    Identity bob = Identity.generate();
    ChainBinding chain = ChainBinding.of("bench", "ab".repeat(32));
    Members members = Members.of(List.of(alice.publicKeyHex(), bob.publicKeyHex()));
    double[] x = x25519(Math.max(1000, handshakes));
    System.out.printf(Locale.ROOT, "X25519 (Bouncy Castle): DH %.3f ms CPU, key generation %.3f ms CPU;"
        + " IK's floor per side (3 DH + 1 key generation; ss cached per member) %.3f ms%n", x[0], x[1],
        3 * x[0] + x[1]);
    for (NoiseHash hash : NoiseHash.values()) { // warm both up before measuring either
      handshakes(keys(alice, chain, members, hash), keys(bob, chain, members, hash), bob.publicKeyHex(),
          Math.max(500, handshakes / 2));
    }
    for (NoiseHash hash : NoiseHash.values()) {
      SessionKeys a = keys(alice, chain, members, hash);
      SessionKeys b = keys(bob, chain, members, hash);
      long[] cpu = handshakes(a, b, bob.publicKeyHex(), handshakes);
      double initMs = cpu[0] / 1e6 / handshakes;
      double respMs = cpu[1] / 1e6 / handshakes;
      boolean pass = initMs <= HANDSHAKE_TARGET_MS && respMs <= HANDSHAKE_TARGET_MS;
      if (hash == NoiseHash.SHA256) {
        ok &= pass;
      }
      System.out.printf(Locale.ROOT, "handshake %-33s initiator %.3f ms CPU, responder %.3f ms CPU"
          + " (mean of %d; target <= %.1f ms per side) %s%s%n", HandshakePattern.IK.protocolName(hash), initMs, respMs,
          handshakes, HANDSHAKE_TARGET_MS, pass ? "PASS" : "FAIL", hash == NoiseHash.SHA256 ? "" : " (not the default)");
    }

    SessionKeys a = keys(alice, chain, members, NoiseHash.SHA256);
    SessionKeys b = keys(bob, chain, members, NoiseHash.SHA256);
    TransportSession[] s = establish(a, b, bob.publicKeyHex());
    transport(s[0], s[1], Math.max(20_000, frames / 5), frameBytes); // warm-up
    double[] mbs = transport(s[0], s[1], frames, frameBytes);
    for (int i = 0; i < 2; i++) {
      boolean pass = mbs[i] >= THROUGHPUT_TARGET_MBS;
      ok &= pass;
      System.out.printf(Locale.ROOT, "transport %-5s %,d frames of %,d B: %.0f MB/s per core (payload bytes per CPU-second;"
          + " target >= %.0f) %s%n", i == 0 ? "seal" : "open", frames, frameBytes, mbs[i], THROUGHPUT_TARGET_MBS,
          pass ? "PASS" : "FAIL");
    }
    if (b.drops().total() != 0) {
      throw new IllegalStateException("frames dropped in the bench: " + b.drops().snapshot());
    }
    System.exit(ok ? 0 : 3);
  }

  private static SessionKeys keys(Identity id, ChainBinding chain, Members members, NoiseHash hash) {
    SessionKeys d = SessionKeys.of(id, chain, members, System::currentTimeMillis);
    return new SessionKeys(d.staticKey(), d.identity(), chain, members, new InitiationReplayGuard(),
        new HandshakeTimestamps(System::currentTimeMillis), d.ephemerals(), hash, RekeyPolicy.DEFAULT,
        new ReasonCounts<>(HandshakeRefusal.class), new ReasonCounts<>(DropReason.class));
  }

  /** {DH ms, key generation ms} CPU per operation, after a warm-up of the same count. */
  private static double[] x25519(int n) {
    byte[] k = new byte[32];
    byte[] pub = new byte[32];
    byte[] out = new byte[32];
    java.security.SecureRandom r = new java.security.SecureRandom();
    org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(r, k);
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(k, 0, pub, 0);
    double[] ms = new double[2];
    for (int round = 0; round < 2; round++) {
      long t0 = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(k, 0, pub, 0, out, 0);
      }
      long t1 = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(k, 0, out, 0);
      }
      long t2 = CPU.getCurrentThreadCpuTime();
      ms[0] = (t1 - t0) / 1e6 / n;
      ms[1] = (t2 - t1) / 1e6 / n;
    }
    return ms;
  }

  /** {initiator CPU ns, responder CPU ns} over n IK handshakes, each side timed apart. */
  private static long[] handshakes(SessionKeys a, SessionKeys b, String bobId, int n) throws Exception {
    long init = 0;
    long resp = 0;
    for (int i = 0; i < n; i++) {
      long t0 = CPU.getCurrentThreadCpuTime();
      SessionHandshake hi = SessionHandshake.initiateIK(a, bobId);
      byte[] m1 = hi.write();
      long t1 = CPU.getCurrentThreadCpuTime();
      SessionHandshake hr = SessionHandshake.respond(b, HandshakePattern.IK);
      hr.read(m1);
      byte[] m2 = hr.write();
      hr.established(0);
      long t2 = CPU.getCurrentThreadCpuTime();
      hi.read(m2);
      hi.established(0);
      long t3 = CPU.getCurrentThreadCpuTime();
      init += (t1 - t0) + (t3 - t2);
      resp += t2 - t1;
    }
    return new long[] {init, resp};
  }

  private static TransportSession[] establish(SessionKeys a, SessionKeys b, String bobId) throws Exception {
    SessionHandshake hi = SessionHandshake.initiateIK(a, bobId);
    SessionHandshake hr = SessionHandshake.respond(b, HandshakePattern.IK);
    hr.read(hi.write());
    hi.read(hr.write());
    return new TransportSession[] {hi.established(0), hr.established(0)};
  }

  /** {seal MB/s, open MB/s} per CPU-second, in batches so that the frames fit in memory. */
  private static double[] transport(TransportSession tx, TransportSession rx, int frames, int size) {
    byte[] payload = new byte[size];
    Arrays.fill(payload, (byte) 0x5a);
    int batch = 4096;
    byte[][] wire = new byte[batch][size + TransportSession.OVERHEAD];
    long sealNs = 0;
    long openNs = 0;
    for (int done = 0; done < frames; done += batch) {
      int k = Math.min(batch, frames - done);
      long t0 = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < k; i++) {
        tx.seal(0, payload, 0, size, wire[i], 0);
      }
      long t1 = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < k; i++) {
        if (!rx.open(0, wire[i]).ok()) {
          throw new IllegalStateException("frame " + (done + i) + " did not open");
        }
      }
      long t2 = CPU.getCurrentThreadCpuTime();
      sealNs += t1 - t0;
      openNs += t2 - t1;
    }
    double mb = (double) frames * size / 1e6;
    return new double[] {mb / (sealNs / 1e9), mb / (openNs / 1e9)};
  }
}
