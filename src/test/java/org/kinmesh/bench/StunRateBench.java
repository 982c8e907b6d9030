package org.kinmesh.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.stun.ProbeResult;
import org.kinmesh.stun.ProbeSettings;
import org.kinmesh.stun.StunCodec;
import org.kinmesh.stun.StunMessage;
import org.kinmesh.stun.StunServer;
import org.kinmesh.stun.StunSocketVerticle;
import org.kinmesh.stun.TransactionId;

/**
 * STUN benchmark helper (not a test), run by bench/stun-bench.sh. Two modes:
 *
 * <p>{@code rate PORT_A PID_A PORT_B PID_B [sockets] [window] [warmup_s] [slice_s] [rounds] [clk_tck]}: one
 * closed-loop load generator (several UDP sockets on 127.0.0.1, each a thread keeping
 * {@code window} Binding requests in flight) aimed in turn at two servers on 127.0.0.1 (A =
 * coturn, B = the kinmesh relay), in interleaved slices, so both see the same generator and
 * the same machine noise. Counts well-formed Binding success answers from the server aimed at;
 * requests unanswered for 200 ms count as lost and are replaced. Also reads each server's CPU
 * time from /proc/PID/stat around its slices. Prints one {@code SLICE} line per slice and a
 * {@code RATE} summary with the medians and the ratio B / A.
 *
 * <p>{@code classify PORT_A PORT_B [probes]}: full RFC 5780 classification (test I, both
 * filtering tests, mapping tests) of this host against each server, with no local addresses
 * so "open" cannot cut it short; prints the median and spread of the probe time.
 *
 * <p>{@code ports N}: N distinct UDP ports free on 127.0.0.1 and 127.0.0.2 right now.
 * {@code wait PORT}: exits 0 once a Binding request to 127.0.0.1:PORT is answered (10 s at most).
 */
public final class StunRateBench {
  private StunRateBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 5 && args[0].equals("rate")) {
      rate(args);
    } else if (args.length == 2 && args[0].equals("ports")) {
      ports(Integer.parseInt(args[1]));
    } else if (args.length == 2 && args[0].equals("wait")) {
      System.exit(awaitAnswer(Integer.parseInt(args[1])) ? 0 : 1);
    } else if (args.length >= 3 && args[0].equals("classify")) {
      classify(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 30);
    } else {
      System.err.println("usage: StunRateBench rate PORT_A PID_A PORT_B PID_B [sockets] [window] [warmup_s] [slice_s]"
          + " [rounds] [clk_tck] | classify PORT_A PORT_B [probes] | ports N | wait PORT");
      System.exit(2);
    }
  }

  // ---- rate ----

  private static volatile InetSocketAddress target;
  private static volatile boolean running = true;

  /** One generator socket: keeps a window of requests in flight to the current target. */
  private static final class Worker extends Thread {
    final DatagramSocket socket;
    final int window;
    final int id;
    final AtomicLong answered = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong bad = new AtomicLong();

    Worker(int id, int window) throws IOException {
      super("stun-load-" + id);
      setDaemon(true);
      this.id = id;
      this.window = window;
      socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
      socket.setSoTimeout(200);
      socket.setReceiveBufferSize(1 << 20);
      socket.setSendBufferSize(1 << 20);
    }

    @Override
    public void run() {
      // a plain 20-byte Binding request; bytes 8-11 carry the worker, 12-19 a sequence number
      byte[] req = StunCodec.encode(new StunMessage(org.kinmesh.stun.StunClass.REQUEST, StunMessage.BINDING,
          new TransactionId(id, 0), List.of(), false));
      byte[] buf = new byte[1500];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      long seq = 0;
      int inflight = 0;
      InetSocketAddress me = (InetSocketAddress) socket.getLocalSocketAddress();
      try {
        while (running) {
          InetSocketAddress to = target;
          while (inflight < window) {
            seq++;
            for (int i = 0; i < 8; i++) {
              req[12 + i] = (byte) (seq >>> (56 - 8 * i));
            }
            socket.send(new DatagramPacket(req, req.length, to));
            inflight++;
          }
          try {
            in.setLength(buf.length);
            socket.receive(in);
          } catch (SocketTimeoutException e) {
            lost.addAndGet(inflight);
            inflight = 0;
            continue;
          }
          inflight--;
          if (!in.getSocketAddress().equals(to)) {
            continue; // a late answer from the server measured before
          }
          if (in.getLength() < 20 || buf[0] != 0x01 || buf[1] != 0x01 || buf[8] != req[8] || buf[9] != req[9]
              || buf[10] != req[10] || buf[11] != req[11]) {
            bad.incrementAndGet();
            continue;
          }
          long n = answered.incrementAndGet();
          if ((n & 1023) == 0 && !mappedIs(buf, in.getLength(), me)) {
            bad.incrementAndGet(); // every 1024th answer is decoded in full and must name this socket
          }
        }
      } catch (IOException e) {
        if (running) {
          throw new IllegalStateException(e);
        }
      }
    }

    private static boolean mappedIs(byte[] b, int len, InetSocketAddress me) {
      try {
        return StunCodec.decode(b, 0, len).mappedAddress().map(me::equals).orElse(false);
      } catch (Exception e) {
        return false;
      }
    }
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14 and 15)
  }

  private record Slice(double perSec, double lostPerSec, long bad, double cores, double usPerAnswer) {}

  private static Slice slice(List<Worker> workers, InetSocketAddress to, long pid, double secs, int clkTck)
      throws Exception {
    target = to;
    Thread.sleep(300); // let answers from the other server drain; this is a benchmark, not a test
    long a0 = sum(workers, 0);
    long l0 = sum(workers, 1);
    long b0 = sum(workers, 2);
    long c0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    Thread.sleep((long) (secs * 1000));
    long a1 = sum(workers, 0);
    long l1 = sum(workers, 1);
    long b1 = sum(workers, 2);
    long c1 = cpuTicks(pid);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cpuSecs = (c1 - c0) / (double) clkTck;
    long answered = a1 - a0;
    return new Slice(answered / elapsed, (l1 - l0) / elapsed, b1 - b0, cpuSecs / elapsed,
        answered == 0 ? 0 : cpuSecs * 1e6 / answered);
  }

  private static long sum(List<Worker> workers, int which) {
    long s = 0;
    for (Worker w : workers) {
      s += (which == 0 ? w.answered : which == 1 ? w.lost : w.bad).get();
    }
    return s;
  }

  private static void rate(String[] args) throws Exception {
    InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[1]));
    long pidA = Long.parseLong(args[2]);
    InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[3]));
    long pidB = Long.parseLong(args[4]);
    int sockets = args.length > 5 ? Integer.parseInt(args[5]) : 4;
    int window = args.length > 6 ? Integer.parseInt(args[6]) : 16;
    double warmup = args.length > 7 ? Double.parseDouble(args[7]) : 5;
    double sliceSecs = args.length > 8 ? Double.parseDouble(args[8]) : 3;
    int rounds = args.length > 9 ? Integer.parseInt(args[9]) : 5;
    int clkTck = args.length > 10 ? Integer.parseInt(args[10]) : 100;

    target = a;
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      workers.add(new Worker(i + 1, window));
    }
    workers.forEach(Thread::start);
    // warm-up: both servers (the JVM's JIT, coturn's caches), generator included; discarded
    slice(workers, a, pidA, warmup, clkTck);
    slice(workers, b, pidB, warmup, clkTck);
    double[] ra = new double[rounds];
    double[] rb = new double[rounds];
    double[] ua = new double[rounds];
    double[] ub = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      // alternate which server goes first, so drift in the machine's load hits both alike
      boolean aFirst = r % 2 == 0;
      Slice first = slice(workers, aFirst ? a : b, aFirst ? pidA : pidB, sliceSecs, clkTck);
      Slice second = slice(workers, aFirst ? b : a, aFirst ? pidB : pidA, sliceSecs, clkTck);
      Slice sa = aFirst ? first : second;
      Slice sb = aFirst ? second : first;
      ra[r] = sa.perSec();
      rb[r] = sb.perSec();
      ua[r] = sa.usPerAnswer();
      ub[r] = sb.usPerAnswer();
      print("A", r + 1, sa);
      print("B", r + 1, sb);
    }
    running = false;
    for (Worker w : workers) {
      w.socket.close();
    }
    double ma = median(ra);
    double mb = median(rb);
    System.out.println(String.format(Locale.ROOT,
        "RATE a_per_sec=%.0f b_per_sec=%.0f ratio=%.3f a_us_per_answer=%.1f b_us_per_answer=%.1f sockets=%d window=%d"
            + " slice_s=%.1f rounds=%d", ma, mb, mb / ma, median(ua), median(ub), sockets, window, sliceSecs, rounds));
  }

  private static void print(String server, int round, Slice s) {
    System.out.println(String.format(Locale.ROOT,
        "SLICE server=%s round=%d answered_per_sec=%.0f lost_per_sec=%.1f bad=%d server_cpu_cores=%.2f"
            + " server_us_per_answer=%.1f", server, round, s.perSec(), s.lostPerSec(), s.bad(), s.cores(),
        s.usPerAnswer()));
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  // ---- helpers for the script ----

  private static void ports(int n) throws IOException {
    List<DatagramSocket> held = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    try {
      while (held.size() < n) {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
        held.add(s);
        try (DatagramSocket alt = new DatagramSocket(s.getLocalPort(), InetAddress.getByName("127.0.0.2"))) {
          out.append(held.size() == 1 ? "" : " ").append(s.getLocalPort());
        } catch (IOException taken) {
          // taken on the alternate IP: keep it held so it is not offered again, and take another
          n++;
        }
      }
    } finally {
      held.forEach(DatagramSocket::close);
    }
    System.out.println(out.toString().trim().replaceAll(" +", " "));
  }

  private static boolean awaitAnswer(int port) throws IOException {
    byte[] req = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random()));
    InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      s.setSoTimeout(100);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        s.send(new DatagramPacket(req, req.length, to));
        try {
          s.receive(new DatagramPacket(new byte[1500], 1500));
          return true;
        } catch (SocketTimeoutException notYet) {
          // still starting
        }
      }
    }
    return false;
  }

  // ---- classify ----

  private static void classify(int portA, int portB, int probes) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      StunSocketVerticle client = new StunSocketVerticle("127.0.0.1", 0);
      vertx.deployVerticle(client).toCompletionStage().toCompletableFuture().get();
      for (String[] s : new String[][] {{"A", Integer.toString(portA)}, {"B", Integer.toString(portB)}}) {
        StunServer server = new StunServer(s[0], new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
            Integer.parseInt(s[1])));
        double[] ms = new double[probes];
        String type = null;
        for (int i = -3; i < probes; i++) { // three discarded warm-up probes
          long t0 = System.nanoTime();
          ProbeResult r = client.probe(List.of(server), Set.of(), ProbeSettings.DEFAULT).toCompletionStage()
              .toCompletableFuture().get();
          double took = (System.nanoTime() - t0) / 1e6;
          if (i >= 0) {
            ms[i] = took;
            type = r.natType().wire() + "/" + r.classification().mapping().wire() + "/"
                + r.classification().filtering().wire();
          }
        }
        Arrays.sort(ms);
        System.out.println(String.format(Locale.ROOT,
            "CLASSIFY server=%s probes=%d median_ms=%.2f p90_ms=%.2f max_ms=%.2f result=%s", s[0], probes,
            median(ms), ms[(int) Math.ceil(probes * 0.9) - 1], ms[probes - 1], type));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
