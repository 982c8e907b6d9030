package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.consensus.pbft.EnvelopeCodec;
import org.kinmesh.testing.Await;

/**
 * Issue 12.1: a node whose on-chain suspension expires votes again within a few seconds. While
 * suspended it is cut off (its peers close its links, it is not in its own membership), its view
 * timer runs out and it waits alone in a higher view, as a laptop that slept. Four real nodes on
 * loopback ({@link TestNetwork}, view timeout 1 s, heartbeat 0.5 s), a 4 s suspension.
 */
@Timeout(90)
class SuspensionRejoinTest {
  /** Suspension length: several of the test network's 1 s view timeouts. */
  static final long TTL_SECS = 4;
  /**
   * From the block that ends the suspension to the node's commit in a certificate: links come back
   * (peer_retry_max_secs 2), it fetches what it missed, then one heartbeat block (0.5 s).
   */
  static final Duration REJOIN_BOUND = Duration.ofSeconds(8);

  @TempDir
  Path dir;
  TestNetwork net;

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  void aNodeWhoseSuspensionExpiresVotesAgainWithinSeconds() throws Exception {
    net = new TestNetwork(dir, 4).startAll();
    net.awaitHeightOnUpNodes(2);
    int primary = net.byKey(net.status(0).getString("primary")).index;
    int target = (primary + 1) % 4;
    int observer = (primary + 2) % 4;
    String targetKey = net.node(target).key();

    // When each block (and its timestamp) reached the observer, recorded from before the suspension.
    java.util.concurrent.ConcurrentSkipListMap<Long, long[]> seen = new java.util.concurrent.ConcurrentSkipListMap<>();
    var recorder = net.node(observer).vertx.eventBus().<JsonObject>consumer(NodeAddresses.DEFAULT.api().chainCommitted(),
        m -> seen.putIfAbsent(m.body().getLong("height"), new long[] {m.body().getLong("timestamp"), System.nanoTime()}));
    TestNetwork.await(recorder.completion(), TestNetwork.WAIT);

    Transaction suspend = Transaction.sign(net.guardian, TestNetwork.CHAIN, 1, System.currentTimeMillis() / 1000,
        new Payload.NodeDeauthorization(targetKey, Payload.DeauthMode.SUSPEND, "laptop away", TTL_SECS));
    JsonObject included = net.awaitMessage(observer, NodeAddresses.DEFAULT.api().chainCommitted(),
        b -> b.getJsonArray("transactions").stream()
            .anyMatch(t -> suspend.hash().equals(((JsonObject) t).getString("hash"))),
        () -> assertThat(net.submit(observer, suspend).getString("hash")).isEqualTo(suspend.hash()));
    long expiresAt = included.getLong("timestamp") + TTL_SECS;

    // The scenario: cut off, its timer runs out and it sits alone in a view of its own.
    Await.until("node " + target + " changes view alone while suspended", Duration.ofSeconds(TTL_SECS + 4),
        () -> net.status(target).getBoolean("in_view_change"));

    // The first block dated at or after the expiry makes it active again (docs/chain.md).
    Await.until("a block dated after the suspension's end", TestNetwork.WAIT,
        () -> seen.values().stream().anyMatch(b -> b[0] >= expiresAt));
    long back = seen.entrySet().stream().filter(e -> e.getValue()[0] >= expiresAt).findFirst().orElseThrow().getKey();
    long t0 = seen.get(back)[1];
    TestNetwork.await(recorder.unregister(), TestNetwork.WAIT);
    JsonObject q = net.status(observer).getJsonObject("quorum");
    assertThat(q.getInteger("authorized")).as("observer's membership after block %d", back).isEqualTo(4);

    long signedAt = -1;
    for (long h = back + 1; signedAt < 0; h++) {
      long left = REJOIN_BOUND.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      try {
        if (left <= 0) {
          throw new AssertionError("time is up");
        }
        net.awaitHeight(observer, h, Duration.ofMillis(left));
      } catch (AssertionError e) {
        throw new AssertionError("node " + target + " in no commit certificate " + REJOIN_BOUND
            + " after its suspension ended at height " + back + " (heights up to " + (h - 1) + " checked); its status "
            + brief(net.status(target)) + "; observer " + brief(net.status(observer)), e);
      }
      if (signedSomewhere(h, targetKey)) {
        signedAt = h;
      }
    }
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("suspension ended at height %d; node %d signed height %d after %d ms%n", back, target,
        signedAt, tookMs);
    net.awaitHeight(target, signedAt);
    JsonObject s = net.status(target);
    assertThat(s.getJsonObject("participation").getBoolean("voting")).as("status %s", s).isTrue();
    assertThat(s.getBoolean("in_view_change")).isFalse();
    net.assertNoFork();
  }

  /** Whether any node's stored commit certificate of height h (each holds the first threshold to arrive) has the key. */
  private boolean signedSomewhere(long h, String key) {
    EnvelopeCodec codec = new EnvelopeCodec(TestNetwork.CHAIN);
    for (TestNetwork.Member m : net.upNodes()) {
      if (m.height() < h) {
        continue;
      }
      Block b = TestNetwork.await(m.vertx.eventBus().<Block>request(NodeAddresses.DEFAULT.ledger().block(),
          new JsonObject().put("height", h)), TestNetwork.WAIT).body();
      try {
        if (codec.decodeCertificate(b.commitCertificate()).signers().contains(key)) {
          return true;
        }
      } catch (org.kinmesh.consensus.pbft.EnvelopeException e) {
        throw new AssertionError("node " + m.index + " stored a certificate it cannot read at height " + h, e);
      }
    }
    return false;
  }

  private static JsonObject brief(JsonObject s) {
    JsonObject o = new JsonObject();
    for (String k : new String[] {"view", "in_view_change", "committed_height", "participation"}) {
      o.put(k, s.getValue(k));
    }
    o.put("authorized", s.getJsonObject("quorum").getValue("authorized"));
    return o;
  }
}
