package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.testing.Await;
import org.slf4j.LoggerFactory;

/**
 * Issue 17: an idle node logged one INFO line per empty block (about 17,000 a day). Empty blocks
 * are logged at DEBUG; a block with transactions keeps its INFO line in the format the lab tools
 * parse (PathLog: {@code op=commit height=.. hash=.. txs=..}).
 */
class CommitLogTest {
  /** PathLog's pattern, so the lab tools keep finding the blocks with transactions. */
  private static final Pattern COMMIT = Pattern.compile("op=commit height=(\\d+) hash=\\S+ txs=(\\d+)");

  @TempDir
  Path dir;
  ListAppender<ILoggingEvent> logs;
  Logger consensusLog;
  Level previousLevel;

  @BeforeEach
  void captureLogs() {
    consensusLog = (Logger) LoggerFactory.getLogger(ConsensusVerticle.class);
    previousLevel = consensusLog.getLevel();
    consensusLog.setLevel(Level.DEBUG);
    logs = new ListAppender<>();
    logs.start();
    consensusLog.addAppender(logs);
  }

  @AfterEach
  void release() {
    consensusLog.detachAppender(logs);
    consensusLog.setLevel(previousLevel);
  }

  @Test
  void emptyBlocksAreLoggedAtDebugAndBlocksWithTransactionsAtInfo() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.startAll();
      net.awaitHeightOnUpNodes(2);
      Transaction tx = Transaction.sign(net.node(0).identity, TestNetwork.CHAIN, 1, System.currentTimeMillis() / 1000,
          new Payload.Data("c0ffee"));
      assertThat(net.submit(0, tx).getString("validation")).isEqualTo("valid");
      Await.until("a block with the transaction committed", java.time.Duration.ofSeconds(60),
          () -> commits().stream().anyMatch(e -> txs(e) > 0));
      net.awaitHeightOnUpNodes(net.node(0).height() + 1); // and an empty one after it
    }
    List<ILoggingEvent> commits = commits();
    assertThat(commits).as("empty blocks were committed").anyMatch(e -> txs(e) == 0);
    for (ILoggingEvent e : commits) {
      Level expected = txs(e) == 0 ? Level.DEBUG : Level.INFO;
      assertThat(e.getLevel()).as(e.getFormattedMessage()).isEqualTo(expected);
    }
  }

  private List<ILoggingEvent> commits() {
    synchronized (logs) { // AppenderBase appends under the appender's lock
      return logs.list.stream().filter(e -> COMMIT.matcher(e.getFormattedMessage()).find()).toList();
    }
  }

  private static int txs(ILoggingEvent e) {
    Matcher m = COMMIT.matcher(e.getFormattedMessage());
    return m.find() ? Integer.parseInt(m.group(2)) : -1;
  }
}
