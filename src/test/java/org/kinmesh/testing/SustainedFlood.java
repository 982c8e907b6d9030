package org.kinmesh.testing;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flood that does not stop: a thread opens stalled connections to the ports in turn, from one
 * loopback address, as fast as it can, holding up to {@code maxOpen} at once and dropping (on
 * its side) those the server closed. Stop it by closing.
 */
public final class SustainedFlood implements AutoCloseable {
  private final Thread thread;
  private final List<Socket> open = new ArrayList<>();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong closedByServer = new AtomicLong();
  private final AtomicLong maxHeld = new AtomicLong();
  private volatile boolean running = true;

  public SustainedFlood(String fromIp, int maxOpen, int... ports) {
    thread = new Thread(() -> {
      int turn = 0;
      while (running) {
        try {
          if (open.size() < maxOpen) {
            open.add(RawHttp.connect(ports[turn++ % ports.length], fromIp));
            opened.incrementAndGet();
          }
          if (open.size() >= maxOpen || opened.get() % 100 == 0) {
            sweep();
          }
        } catch (IOException e) {
          sweep();
        }
      }
    }, "sustained-flood");
    thread.setDaemon(true);
    thread.start();
  }

  /** Drops the sockets the server has closed; records how many the server holds at most. */
  private void sweep() {
    maxHeld.accumulateAndGet(open.size(), Math::max);
    open.removeIf(s -> {
      try {
        if (RawHttp.closedWithin(s, 1)) {
          s.close();
          closedByServer.incrementAndGet();
          return true;
        }
        return false;
      } catch (IOException e) {
        return true;
      }
    });
  }

  public long opened() {
    return opened.get();
  }

  public long closedByServer() {
    return closedByServer.get();
  }

  /** The most connections this flood held open at one time (as far as its sweeps saw). */
  public long maxHeld() {
    return maxHeld.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // gone
      }
    }
  }
}
