package org.kinmesh.stun;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * coturn's turnserver as a STUN-only server on loopback, for interop tests and the benchmark:
 * two listening IPs (127.0.0.1 and 127.0.0.2, both loopback on Linux) and an alternate port, so it
 * answers OTHER-ADDRESS and CHANGE-REQUEST (RFC 5780). Started with {@code -c /dev/null}: Debian's
 * /etc/turnserver.conf turns RFC 5780 off. Tests that need it are skipped when it is not installed.
 */
public final class Coturn implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/turnserver");

  private final Process process;
  private final Path dir;
  public final int port;
  public final int altPort;

  private Coturn(Process process, Path dir, int port, int altPort) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.altPort = altPort;
  }

  public static void assumeInstalled() {
    Assumptions.assumeTrue(Files.isExecutable(BINARY),
        "coturn is not installed (" + BINARY + "): apt-get install coturn to run this test");
  }

  public InetSocketAddress primary() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  public static Coturn start() throws IOException, InterruptedException {
    return start(List.of());
  }

  /** Starts turnserver on two free ports and waits until it answers a Binding request. */
  public static Coturn start(List<String> extraArgs) throws IOException, InterruptedException {
    assumeInstalled();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int[] ports = freePortPair();
      Path dir = Files.createTempDirectory("kinmesh-coturn");
      List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-c", "/dev/null", "--stun-only",
          "-L", "127.0.0.1", "-L", "127.0.0.2", "--listening-port", Integer.toString(ports[0]),
          "--alt-listening-port", Integer.toString(ports[1]), "--no-cli", "--no-tls", "--no-dtls", "--no-tcp",
          "--log-file", "stdout", "--simple-log", "--pidfile", dir.resolve("turn.pid").toString(),
          "--userdb", dir.resolve("turndb").toString()));
      cmd.addAll(extraArgs);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("turnserver.log").toFile()).start();
      Coturn c = new Coturn(p, dir, ports[0], ports[1]);
      if (c.awaitAnswer()) {
        return c;
      }
      c.close();
      last = new IOException("turnserver did not answer on 127.0.0.1:" + ports[0]);
    }
    throw last;
  }

  /** Two ports free on both loopback addresses right now (a race with other processes is retried). */
  private static int[] freePortPair() throws IOException {
    try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
        DatagramSocket b = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }

  private boolean awaitAnswer() throws IOException {
    byte[] req = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random()));
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      s.setSoTimeout(100);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && process.isAlive()) {
        s.send(new DatagramPacket(req, req.length, primary()));
        try {
          s.receive(new DatagramPacket(new byte[1500], 1500));
          return true;
        } catch (SocketTimeoutException notYet) {
          // starting up: ask again
        }
      }
    }
    return false;
  }

  public String log() throws IOException {
    return Files.readString(dir.resolve("turnserver.log"));
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // temp dir: best effort
    }
  }
}
