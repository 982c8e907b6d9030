package org.kinmesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Stalled TCP connections from one loopback address: opened, never written to, held until the
 * server closes them. Closing the flood closes every socket still open.
 */
public final class Flood implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();
  private long lastConnectNanos;

  /** Opens n connections to 127.0.0.1:port from fromIp (a 127/8 address). */
  public Flood open(int port, String fromIp, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      sockets.add(RawHttp.connect(port, fromIp));
    }
    lastConnectNanos = System.nanoTime();
    return this;
  }

  public int size() {
    return sockets.size();
  }

  /** Asserts that the server closed every socket within {@code millis} of the last connect; returns the latest close. */
  public long assertAllClosedWithin(long millis) throws IOException {
    long deadline = lastConnectNanos + millis * 1_000_000;
    int open = 0;
    long latest = 0;
    for (Socket s : sockets) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      if (RawHttp.closedWithin(s, (int) left)) {
        latest = Math.max(latest, (System.nanoTime() - lastConnectNanos) / 1_000_000);
      } else {
        open++;
      }
    }
    assertThat(open).as("of " + sockets.size() + " stalled connections, still open " + millis
        + " ms after the last connect").isZero();
    return latest;
  }

  @Override
  public void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }
}
