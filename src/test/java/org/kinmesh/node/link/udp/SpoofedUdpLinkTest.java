package org.kinmesh.node.link.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.Await;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * Two {@link UdpLinkPaths} on real loopback sockets. The receiver sees the sender behind a
 * forwarder M (as behind a NAT), so whatever M forwards comes from the sender's address as far
 * as the receiver can tell; an attacker's socket X sends through M what a spoofer would send
 * from the sender's address: DATA and OPEN frames of fresh session ids, while a stream runs.
 */
class SpoofedUdpLinkTest {
  private static final String CHAIN = "family";
  private static final int MESSAGES = 150;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private DatagramSocket bind() {
    return Await.result(vertx.createDatagramSocket().listen(0, "127.0.0.1"));
  }

  private static Endpoint at(DatagramSocket s) {
    return new Endpoint("127.0.0.1", s.localAddress().port());
  }

  private record Run(List<String> delivered, long unverified, boolean failed, long restartToDoneMillis) {}

  @Test
  void spoofedFramesFromThePeersAddressDoNotStopTheStream() {
    Run run = run(Identity.fromSeed(new byte[32]), false);
    assertEquals(MESSAGES, run.delivered().size(), "every message arrived");
    for (int i = 0; i < MESSAGES; i++) {
      assertEquals("m" + i, run.delivered().get(i), "in order");
    }
    assertTrue(!run.failed(), "the path never failed");
    assertTrue(run.unverified() > 0, "the spoofed frames were dropped and counted");
  }

  @Test
  void aRestartedSenderIsJoinedAtOnceDespiteTheSpoofing() {
    Run run = run(Identity.fromSeed(new byte[32]), true);
    assertEquals(MESSAGES, run.delivered().size(), "every message arrived");
    assertTrue(!run.failed(), "the path never failed");
    // The old stream's ~12 s of retransmissions would show here if the new stream were refused.
    assertTrue(run.restartToDoneMillis() < 5_000, "rejoined in " + run.restartToDoneMillis() + " ms");
  }

  /** Streams MESSAGES messages; with {@code restart}, the sender restarts (new paths, new session) halfway. */
  private Run run(Identity senderId, boolean restart) {
    Identity receiverId = Identity.fromSeed(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
        9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    DatagramSocket sSock = bind();
    DatagramSocket rSock = bind();
    DatagramSocket mSock = bind();
    DatagramSocket xSock = bind();
    Promise<Run> done = Promise.promise();
    List<String> delivered = new ArrayList<>();
    boolean[] failed = {false};
    UdpLinkPaths[] r = new UdpLinkPaths[1];
    UdpLinkPaths[] s = {new UdpLinkPaths(new Sink(sSock, null, null), senderId, CHAIN, TimeSource.SYSTEM)};
    long[] restartedAt = {-1};
    r[0] = new UdpLinkPaths(new Sink(rSock, delivered, () -> {
      if (delivered.size() == MESSAGES) {
        long took = restartedAt[0] < 0 ? -1 : (System.nanoTime() - restartedAt[0]) / 1_000_000L;
        done.tryComplete(new Run(List.copyOf(delivered), r[0].unverified(), failed[0], took));
      }
    }) {
      @Override
      public void failed(String peer, List<byte[]> unacknowledged) {
        failed[0] = true;
        done.tryComplete(new Run(List.copyOf(delivered), r[0].unverified(), true, -1));
      }
    }, receiverId, CHAIN, TimeSource.SYSTEM);
    Endpoint m = at(mSock);
    Endpoint sEp = at(sSock);
    Endpoint rEp = at(rSock);
    vertx.runOnContext(v -> {
      // M: from S to R, from R to S, and anything else (the attacker) to R, as if from S.
      mSock.handler(p -> {
        boolean fromS = p.sender().port() == sEp.port();
        Endpoint to = fromS || p.sender().port() == xSock.localAddress().port() ? rEp : sEp;
        mSock.send(p.data(), to.port(), to.ip());
      });
      sSock.handler(p -> s[0].onDatagram(new Endpoint("127.0.0.1", p.sender().port()), p.data(), System.nanoTime()));
      rSock.handler(p -> r[0].onDatagram(new Endpoint("127.0.0.1", p.sender().port()), p.data(), System.nanoTime()));
      s[0].open(receiverId.publicKeyHex(), m, System.nanoTime());
      r[0].open(senderId.publicKeyHex(), m, System.nanoTime());
      Random random = new Random(5);
      int[] sent = {0};
      long[] spoofed = {0};
      vertx.setPeriodic(5, t -> {
        // The first half is delivered before the restart, so no message is lost with the old process.
        if (restart && sent[0] == MESSAGES / 2 && restartedAt[0] < 0 && delivered.size() == sent[0]) {
          restartedAt[0] = System.nanoTime();
          s[0] = new UdpLinkPaths(new Sink(sSock, null, null), senderId, CHAIN, TimeSource.SYSTEM);
          s[0].open(receiverId.publicKeyHex(), m, System.nanoTime());
        }
        if (sent[0] < MESSAGES && (sent[0] != MESSAGES / 2 || !restart || restartedAt[0] >= 0)) {
          s[0].send(receiverId.publicKeyHex(), ("m" + sent[0]++).getBytes(java.nio.charset.StandardCharsets.UTF_8), System.nanoTime());
        }
        // 30-byte DATA frames of new sessions (150/s), and OPENs of new sessions with junk signatures (50/s):
        // ~8.7 KB/s from the sender's address, 12 times the 720 B/s that stalled block production.
        long session = random.nextLong();
        Buffer spoof = ++spoofed[0] % 4 == 0
            ? new LinkFrame.Open(session, System.currentTimeMillis() / 1000, new byte[64]).encode()
            : new LinkFrame.Data(session, 0, 0, 0, 1, new byte[7]).encode();
        xSock.send(spoof, m.port(), m.ip());
        s[0].tick(System.nanoTime());
        r[0].tick(System.nanoTime());
      });
    });
    return Await.result(done.future());
  }

  private static class Sink implements UdpLinkPaths.Sink {
    private final DatagramSocket socket;
    private final List<String> delivered;
    private final Runnable onDelivered;

    Sink(DatagramSocket socket, List<String> delivered, Runnable onDelivered) {
      this.socket = socket;
      this.delivered = delivered;
      this.onDelivered = onDelivered;
    }

    @Override
    public void datagram(Endpoint to, Buffer data) {
      socket.send(data, to.port(), to.ip());
    }

    @Override
    public void delivered(String peer, byte[] bytes) {
      String payload = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      delivered.add(payload);
      onDelivered.run();
    }

    @Override
    public void heard(String peer, long rttNanos) {}

    @Override
    public void failed(String peer, List<byte[]> unacknowledged) {}
  }
}
