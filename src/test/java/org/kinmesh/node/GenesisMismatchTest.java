package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.node.link.LinksVerticle;
import org.slf4j.LoggerFactory;

/**
 * Issue 12.5: a node started from another genesis of the same chain (same id, same keys, another
 * timestamp) linked to everyone, said "healthy 4/4" and logged INVALID_PAYLOAD every 2 s. Four
 * nodes of a five-node chain run; the fifth has the other genesis. Its peers must refuse it on
 * every path (TCP hello, relay, UDP), count it and say why; it must not call itself healthy.
 */
class GenesisMismatchTest {
  @TempDir
  Path dir;
  ListAppender<ILoggingEvent> logs;
  Logger linksLog;
  Level previousLevel;

  @BeforeEach
  void captureLogs() {
    linksLog = (Logger) LoggerFactory.getLogger(LinksVerticle.class);
    previousLevel = linksLog.getLevel();
    linksLog.setLevel(Level.INFO);
    logs = new ListAppender<>();
    logs.start();
    linksLog.addAppender(logs);
  }

  @AfterEach
  void release() {
    linksLog.detachAppender(logs);
    linksLog.setLevel(previousLevel);
  }

  @Test
  void aNodeOnAnotherGenesisIsRefusedEverywhereCountedAndNotHealthy() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 5)) {
      Block other = net.otherGenesis(4);
      String key4 = net.node(4).key();
      String ours = net.genesis.hash().substring(0, 8);
      String theirs = other.hash().substring(0, 8);
      net.startAll();
      for (int i = 0; i < 4; i++) {
        net.awaitHeight(i, 2, java.time.Duration.ofSeconds(60)); // the fifth may be the first primary: a view change first
      }
      // Each of the four refused the fifth at least twice (so "logged once" means something).
      untilBlocks(net, () -> {
        for (int i = 0; i < 4; i++) {
          if (net.peers(i).getJsonObject("rejections").getLong("genesis_mismatch", 0L) < 2) {
            return false;
          }
        }
        return true;
      });
      for (int i = 0; i < 4; i++) {
        JsonObject fifth = peer(net.peers(i), key4);
        assertThat(fifth.getString("path")).as("node %d's path to the fifth", i).isEqualTo("none");
        assertThat(fifth.getString("state")).isNotEqualTo("connected");
        assertThat(fifth.getString("refused")).as("node %d", i)
            .contains("genesis_mismatch").contains(ours).contains(theirs);
        String observer = "node=" + net.node(i).identity.shortId();
        long lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains(observer) && m.contains(KeyIds.shortId(key4)) && m.contains("op=link.genesis_mismatch"))
            .count();
        assertThat(lines).as("node %d logs the fifth's genesis once, not at every refusal", i).isEqualTo(1);
      }
      // The fifth is linked to nobody on any path and says so.
      JsonObject own = net.peers(4);
      assertThat(own.getJsonObject("rejections").getLong("genesis_mismatch", 0L)).isPositive();
      for (Object o : own.getJsonArray("peers")) {
        JsonObject p = (JsonObject) o;
        if (net.nodes().stream().limit(4).anyMatch(m -> m.key().equals(p.getString("pubkey")))) {
          assertThat(p.getString("path")).as(p.encode()).isEqualTo("none");
          assertThat(p.getString("refused")).as(p.encode()).contains("genesis_mismatch");
        }
      }
      JsonObject quorum = net.status(4).getJsonObject("quorum");
      assertThat(quorum.getString("mode")).as(quorum.encode()).isNotEqualTo("healthy");
      assertThat(quorum.getInteger("responding")).isEqualTo(1);
      String fifth = "node=" + net.node(4).identity.shortId();
      assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(fifth) && m.contains("genesis.json"))).as("the fifth's WARN says what to do")
          .isNotEmpty();
      // Consensus among the four goes on.
      long h = net.node(0).height();
      for (int i = 0; i < 4; i++) {
        net.awaitHeight(i, h + 2);
      }
      assertThat(net.node(4).height()).isZero();
      net.assertNoFork();
    }
  }

  static JsonObject peer(JsonObject peersStatus, String key) {
    for (Object o : peersStatus.getJsonArray("peers")) {
      if (key.equals(((JsonObject) o).getString("pubkey"))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no peer " + key + " in " + peersStatus.encode());
  }

  /** Re-checks at each block the first node commits, 60 blocks at most. */
  static void untilBlocks(TestNetwork net, BooleanSupplier done) {
    long h = net.node(0).height();
    long limit = h + 60;
    while (!done.getAsBoolean()) {
      if (h >= limit) {
        throw new AssertionError("condition not met within 60 blocks");
      }
      net.awaitHeight(0, ++h);
    }
  }
}
