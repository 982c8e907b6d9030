package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.kinmesh.store.Database;

/** Determinism: replaying from scratch, applying block by block, and the stored tables all agree. */
class LedgerProperties {
  private static Vertx vertx;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterContainer
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Property(tries = 40)
  void replayEqualsIncremental(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int blocks) throws Exception {
    TestChain c = BusyChain.build(seed, blocks);
    assertThat(Ledger.replay(c.blocks)).isEqualTo(c.state);
  }

  @Property(tries = 8)
  void rebuildFromBlocksEqualsApplyingThemOneByOne(@ForAll long seed, @ForAll @IntRange(min = 5, max = 30) int blocks)
      throws Exception {
    TestChain c = BusyChain.build(seed, blocks);
    Path dir = Files.createTempDirectory("ledger-prop");
    Database db = await(Database.open(vertx, dir.resolve("ledger.db"), LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      for (Block b : c.blocks.subList(1, c.blocks.size())) {
        await(store.append(b));
      }
      assertThat(store.state()).isEqualTo(c.state);
      assertThat(await(store.loadState())).isEqualTo(c.state);
      assertThat(await(store.auditAll())).isEqualTo(c.audit);
      List<String> incremental = dump(db);

      await(store.rebuild());
      assertThat(await(store.loadState())).isEqualTo(c.state);
      assertThat(dump(db)).isEqualTo(incremental);

      LedgerStore reopened = await(LedgerStore.open(db, c.blocks.get(0)));
      assertThat(reopened.state()).isEqualTo(c.state);
      assertThat(dump(db)).isEqualTo(incremental);
      assertThat(await(reopened.activeConsensusCount())).isEqualTo(c.state.activeConsensusCount());
    } finally {
      await(db.close());
    }
  }

  static List<String> dump(Database db) throws Exception {
    List<String> out = new ArrayList<>();
    for (String q : List.of("SELECT * FROM consensus_nodes ORDER BY node_id", "SELECT * FROM family_members ORDER BY pubkey",
        "SELECT * FROM proposals ORDER BY resource_id", "SELECT * FROM approvals ORDER BY resource_id, approver",
        "SELECT * FROM sender_nonces ORDER BY sender", "SELECT * FROM audit ORDER BY height, seq",
        "SELECT height, hash FROM blocks ORDER BY height", "SELECT hash, height, idx FROM transactions ORDER BY hash")) {
      await(db.pool().query(q).execute()).forEach(r -> out.add(r.toJson().encode()));
    }
    return out;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
