package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.chain.LedgerProperties.await;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.store.Database;

class LedgerStoreTest {
  private static Vertx vertx;
  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void queriesFollowCommittedBlocks() throws Exception {
    TestChain c = TestChain.standard();
    Database db = await(Database.open(vertx, dir.resolve("l.db"), LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      assertThat(await(store.activeConsensusCount())).isEqualTo(3);
      c.commit(10, c.tx(TestChain.MOM, GovernanceTest.suspend(TestChain.N2, 3600)));
      await(store.append(c.blocks.get(1)));
      assertThat(await(store.activeConsensusCount())).isEqualTo(2);
      assertThat(await(store.isAuthorized(TestChain.N2.publicKeyHex()))).isFalse();
      assertThat(await(store.isAuthorized(TestChain.N1.publicKeyHex()))).isTrue();
      assertThat(await(store.authorizedConsensusKeys()))
          .containsExactlyInAnyOrder(TestChain.N1.publicKeyHex(), TestChain.N3.publicKeyHex());
      List<AuditEntry> audit = await(store.auditFor(TestChain.N2.publicKeyHex()));
      assertThat(audit).extracting(AuditEntry::action).containsExactly("node_registered", "node_suspended");
      AuditEntry s = audit.get(1);
      assertThat(s.actor()).isEqualTo(TestChain.MOM.publicKeyHex());
      assertThat(s.timestamp()).isEqualTo(c.time);
      assertThat(s.reason()).contains("lost laptop");
    } finally {
      await(db.close());
    }
  }

  /** Issue 16: the used invites are stored, read back from the tables, and refuse a reuse after a restart. */
  @Test
  void usedInvitesSurviveARestart() throws Exception {
    TestChain c = TestChain.standard();
    org.kinmesh.invite.Invite inv = InviteJoinTest.invite(c, TestChain.MOM, false, InviteJoinTest.id(1), c.time + 3600);
    c.commit(10, c.tx(TestChain.N4, InviteJoinTest.join(inv, TestChain.MOM)));
    Path file = dir.resolve("invites.db");
    Database db = await(Database.open(vertx, file, LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      await(store.append(c.blocks.get(1)));
      GovernanceState fromTables = await(store.loadState());
      assertThat(fromTables.usedInvites()).containsExactly(InviteJoinTest.id(1));
      assertThat(fromTables).isEqualTo(c.state);
    } finally {
      await(db.close());
    }
    db = await(Database.open(vertx, file, LedgerStore.MIGRATIONS));
    try {
      LedgerStore reopened = await(LedgerStore.open(db, c.blocks.get(0)));
      assertThat(reopened.state()).isEqualTo(c.state);
      ValidationResult again = TxValidator.validateForNext(reopened.state(),
          Transaction.sign(TestChain.key(15), TestChain.CHAIN, 1, c.time, InviteJoinTest.join(inv, TestChain.MOM)),
          c.time);
      assertThat(again.code()).isEqualTo(ValidationResult.Code.INVITE_USED);
    } finally {
      await(db.close());
    }
  }

  /** Issue 12.6: a removed key registered again under another node_id and kind is stored, and read back. */
  @Test
  void aRemovedKeyRegisteredAgainIsStoredUnderItsNewRegistration() throws Exception {
    TestChain c = TestChain.standard();
    Transaction proposal = c.tx(TestChain.MOM, GovernanceTest.remove(TestChain.N3));
    c.commit(10, proposal);
    c.commit(10, c.tx(TestChain.DAD, new Payload.Approval(proposal.hash())));
    c.commit(10, c.tx(TestChain.MOM, new Payload.NodeRegistration(TestChain.N3.publicKeyHex(), 77, false, c.time)));
    Path file = dir.resolve("again.db");
    Database db = await(Database.open(vertx, file, LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      for (Block b : c.blocks.subList(1, c.blocks.size())) {
        await(store.append(b));
      }
      assertThat(await(store.isAuthorized(TestChain.N3.publicKeyHex()))).isTrue();
    } finally {
      await(db.close());
    }
    db = await(Database.open(vertx, file, LedgerStore.MIGRATIONS));
    try {
      LedgerStore reopened = await(LedgerStore.open(db, c.blocks.get(0)));
      NodeRecord n3 = reopened.state().nodes().get(TestChain.N3.publicKeyHex());
      assertThat(n3.nodeId()).isEqualTo(77);
      assertThat(n3.consensusNode()).isFalse();
      assertThat(n3.status()).isEqualTo(NodeStatus.ACTIVE);
      assertThat(reopened.state().nodes()).isEqualTo(c.state.nodes());
    } finally {
      await(db.close());
    }
  }

  @Test
  void aRejectedBlockLeavesNoTrace() throws Exception {
    TestChain c = TestChain.standard();
    Database db = await(Database.open(vertx, dir.resolve("l.db"), LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      List<String> before = LedgerProperties.dump(db);
      Transaction bad = c.tx(TestChain.STRANGER, Payload.Data.of(new byte[] {1}));
      Block b = Block.of(TestChain.CHAIN, 1, c.state.headHash(), c.time + 1, TestChain.N1.publicKeyHex(), List.of(),
          List.of(bad));
      assertThatThrownBy(() -> await(store.append(b))).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(InvalidBlockException.class).hasMessageContaining("INSUFFICIENT_PERMISSION");
      assertThat(LedgerProperties.dump(db)).isEqualTo(before);
      assertThat(store.state()).isEqualTo(c.state);
    } finally {
      await(db.close());
    }
  }

  @Test
  void aDatabaseOfAnotherGenesisIsRefused() throws Exception {
    Database db = await(Database.open(vertx, dir.resolve("l.db"), LedgerStore.MIGRATIONS));
    try {
      await(LedgerStore.open(db, TestChain.standard().blocks.get(0)));
      Block other = TestChain.create(1, 0, 0, List.of(TestChain.MOM), List.of(TestChain.N1)).blocks.get(0);
      assertThatThrownBy(() -> await(LedgerStore.open(db, other))).hasMessageContaining("holds genesis");
    } finally {
      await(db.close());
    }
  }

  /** No address on chain: a busy chain's database file and every stored text hold no IP or host:port. */
  @Test
  void noAddressIsEverStored() throws Exception {
    TestChain c = BusyChain.build(20240607L, 150);
    assertThat(c.audit).extracting(AuditEntry::action).contains("node_registered", "node_suspended",
        "node_reactivated", "suspension_expired", "proposal_created", "approval_recorded", "member_added",
        "member_removed", "node_inactive");
    assertThat(c.blocks.stream().flatMap(b -> b.transactions().stream()).map(Transaction::type).distinct())
        .containsExactlyInAnyOrder(TxType.values());
    Path file = dir.resolve("busy.db");
    Database db = await(Database.open(vertx, file, LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      for (Block b : c.blocks.subList(1, c.blocks.size())) {
        await(store.append(b.withCommitCertificate("{\"signers\":[\"" + b.proposer() + "\"]}")));
      }
      List<String> texts = new java.util.ArrayList<>();
      for (String table : List.of("blocks", "transactions", "consensus_nodes", "family_members", "proposals",
          "approvals", "sender_nonces", "audit")) {
        await(db.pool().query("SELECT * FROM " + table).execute()).forEach(r -> texts.add(r.toJson().encode()));
      }
      assertThat(texts).hasSizeGreaterThan(500);
      for (String t : texts) {
        assertNoAddress(t);
      }
    } finally {
      await(db.close());
    }
    for (String name : List.of("busy.db", "busy.db-wal")) {
      Path f = dir.resolve(name);
      if (Files.exists(f)) {
        assertNoAddress(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
  }

  @Test
  void theScannerSeesAddresses() {
    for (String s : List.of("{\"ip\":\"192.168.1.20\"}", "fe80::1", "[2001:db8::1]:7070", "relay.example.org:5050",
        "2001:db8:0:0:0:0:0:1", "localhost:8080")) {
      assertThat(TextRules.looksLikeAddress(s)).as(s).isTrue();
    }
    assertThat(TextRules.looksLikeAddress("sold the machine, version 1.2 at 10 am")).isFalse();
  }

  private static void assertNoAddress(String text) {
    for (java.util.regex.Pattern p : List.of(TextRules.IPV4, TextRules.IPV6, TextRules.HOST_PORT)) {
      Matcher m = p.matcher(text);
      if (m.find()) {
        int from = Math.max(0, m.start() - 40);
        throw new AssertionError("address-like text '" + m.group() + "' stored near: "
            + text.substring(from, Math.min(text.length(), m.end() + 40)));
      }
    }
  }

  @Test
  void appliedBlocksAreReadableBeforeTheirWriteAndDurableAfterIt() throws Exception {
    TestChain c = TestChain.standard();
    Database db = await(Database.open(vertx, dir.resolve("w.db"), LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      Transaction tx = c.tx(TestChain.N1, new Payload.Data("ab"));
      c.commit(5, tx);
      LedgerStore.Applying a = store.applyNow(c.blocks.get(1));
      // The state moved at once; the block is served from memory until written.
      assertThat(store.state().height()).isEqualTo(1);
      assertThat(await(store.blockAt(1)).hash()).isEqualTo(c.blocks.get(1).hash());
      assertThat(await(store.transactions(List.of(tx.hash())))).containsExactly(tx);
      await(a.durable());
      await(store.drained());
      assertThat(store.unwrittenCount()).isZero();
      assertThat(await(store.transactions(List.of(tx.hash(), "00".repeat(32))))).containsExactly(tx);
      // A block that does not apply changes nothing and queues nothing.
      assertThatThrownBy(() -> store.applyNow(c.blocks.get(1))).isInstanceOf(InvalidBlockException.class);
      assertThat(store.state().height()).isEqualTo(1);
    } finally {
      await(db.close());
    }
    // Reopened: the block was on disk.
    Database again = await(Database.open(vertx, dir.resolve("w.db"), LedgerStore.MIGRATIONS));
    try {
      assertThat(await(LedgerStore.open(again, c.blocks.get(0))).state().height()).isEqualTo(1);
    } finally {
      await(again.close());
    }
  }

  @Test
  void aFailedWriteIsRetriedWithLaterBlocksWaitingBehindItSoTheStoredChainHasNoGap() throws Exception {
    TestChain c = TestChain.standard();
    Database db = await(Database.open(vertx, dir.resolve("f.db"), LedgerStore.MIGRATIONS));
    LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
    await(db.close()); // the disk goes away
    c.commit(5);
    c.commit(5);
    LedgerStore.Applying a = store.applyNow(c.blocks.get(1));
    LedgerStore.Applying b = store.applyNow(c.blocks.get(2)); // applied in memory, its write waits behind
    org.kinmesh.testing.Await.until("the failed write is reported", java.time.Duration.ofSeconds(10),
        () -> !store.writeHealth().ok() && store.writeHealth().writeFailures() >= 2); // retried
    assertThat(a.durable().isComplete()).isFalse();
    assertThat(b.durable().isComplete()).isFalse();
    assertThat(store.unwrittenCount()).isEqualTo(2);
    assertThat(store.writeHealth().reason()).isEqualTo("write_failed");
    store.stopRetrying(); // a stopping node gives the waiting writes up
    assertThatThrownBy(() -> await(a.durable())).isInstanceOf(ExecutionException.class);
    assertThatThrownBy(() -> await(b.durable())).isInstanceOf(ExecutionException.class);
    c.commit(5);
    assertThatThrownBy(() -> store.applyNow(c.blocks.get(3))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not be stored");
  }

  @Test
  void aDryRunOfTheSameBlockIsReusedAndAnyOtherIgnored() throws Exception {
    TestChain c = TestChain.standard();
    Database db = await(Database.open(vertx, dir.resolve("d.db"), LedgerStore.MIGRATIONS));
    try {
      LedgerStore store = await(LedgerStore.open(db, c.blocks.get(0)));
      c.commit(5, c.tx(TestChain.N1, new Payload.Data("ab")));
      Block b1 = c.blocks.get(1);
      LedgerStore.DryRun dry = store.dryRun(b1);
      assertThat(store.state().height()).isZero(); // a dry run changes nothing
      LedgerStore.Applying a = store.applyNow(b1.withCommitCertificate("{}"), dry);
      assertThat(a.applied()).isSameAs(dry.applied());
      await(a.durable());
      c.commit(5);
      // a stale dry run (of another state) is not used: the block is applied for real
      LedgerStore.Applying b = store.applyNow(c.blocks.get(2), dry);
      assertThat(b.applied()).isNotSameAs(dry.applied());
      assertThat(b.applied().state().height()).isEqualTo(2);
      await(b.durable());
    } finally {
      await(db.close());
    }
  }
}
