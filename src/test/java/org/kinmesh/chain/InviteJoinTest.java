package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.chain.TestChain.DAD;
import static org.kinmesh.chain.TestChain.KID;
import static org.kinmesh.chain.TestChain.MOM;
import static org.kinmesh.chain.TestChain.N4;
import static org.kinmesh.chain.TestChain.STRANGER;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.ValidationResult.Code;
import org.kinmesh.crypto.Identity;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;

/**
 * A join transaction: signed by the new node's key, carrying a guardian's invite; counts as that
 * guardian's approval of the node's registration, and uses the invite up.
 */
class InviteJoinTest {
  private static final Identity N5 = TestChain.key(15);
  private static final String URL = "http://127.0.0.1:8080";

  static Invite invite(TestChain c, Identity guardian, boolean consensus, String id, long expiresAt) {
    return new Invite(id, TestChain.CHAIN, c.blocks.get(0).hash(), URL, URL, consensus, "laptop",
        guardian.publicKeyHex(), expiresAt);
  }

  static Payload.NodeJoin join(Invite invite, Identity guardian) {
    return Payload.NodeJoin.of(InviteCodec.encode(invite, guardian));
  }

  static String id(int n) {
    return String.format("%032x", n);
  }

  @Test
  void aMemberInviteRegistersTheNodeAtOnceWithAFreeNodeId() {
    TestChain c = TestChain.standard();
    Transaction tx = c.tx(N4, join(invite(c, MOM, false, id(1), c.time + 3600), MOM));
    assertThat(c.check(tx).code()).isEqualTo(Code.VALID);
    Ledger.Applied a = c.commit(10, tx);
    NodeRecord n = c.state.nodes().get(N4.publicKeyHex());
    assertThat(n.status()).isEqualTo(NodeStatus.ACTIVE);
    assertThat(n.consensusNode()).isFalse();
    assertThat(n.nodeId()).isEqualTo(4); // genesis nodes hold 1-3
    assertThat(c.state.usedInvites()).containsExactly(id(1));
    assertThat(a.audit()).extracting(AuditEntry::action).containsExactly("node_registered");
    assertThat(a.audit().get(0).actor()).isEqualTo(MOM.publicKeyHex());
  }

  @Test
  void aConsensusInviteIsTheGuardiansApprovalAndWaitsForTheSecond() {
    TestChain c = TestChain.standard();
    Transaction tx = c.tx(N4, join(invite(c, MOM, true, id(2), c.time + 3600), MOM));
    ValidationResult r = c.check(tx);
    assertThat(r.code()).isEqualTo(Code.AWAITING_APPROVALS);
    assertThat(r.message()).contains("1 of 2");
    c.commit(10, tx);
    assertThat(c.state.nodes()).doesNotContainKey(N4.publicKeyHex());
    Proposal p = c.state.proposals().get(tx.hash());
    assertThat(p.approvers()).containsExactly(MOM.publicKeyHex());
    // the guardian who invited cannot approve twice; the other guardian's approval executes it
    assertThat(c.check(c.tx(MOM, new Payload.Approval(tx.hash()))).code()).isEqualTo(Code.DUPLICATE);
    Transaction ok = c.tx(DAD, new Payload.Approval(tx.hash()));
    assertThat(c.check(ok).code()).isEqualTo(Code.VALID);
    c.commit(10, ok);
    assertThat(c.state.activeConsensusCount()).isEqualTo(4);
    assertThat(c.state.nodes().get(N4.publicKeyHex()).nodeId()).isEqualTo(4);
  }

  @Test
  void anInviteWorksOnce() {
    TestChain c = TestChain.standard();
    Invite inv = invite(c, MOM, false, id(3), c.time + 3600);
    c.commit(10, c.tx(N4, join(inv, MOM)));
    ValidationResult again = c.check(c.tx(N5, join(inv, MOM)));
    assertThat(again.code()).isEqualTo(Code.INVITE_USED);
    assertThat(again.message()).contains(id(3)).contains("ask a guardian for a new invite");
    // and a block that carries it anyway is refused, changing nothing
    GovernanceState before = c.state;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.tryCommit(10, TestChain.N1, c.tx(N5, join(inv, MOM))))
        .isInstanceOf(InvalidBlockException.class).hasMessageContaining("invite_used".toUpperCase());
    assertThat(c.state).isSameAs(before);
  }

  @Test
  void twoJoinsWithOneInviteInOneBlockAreRefused() {
    TestChain c = TestChain.standard();
    Invite inv = invite(c, MOM, false, id(4), c.time + 3600);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.tryCommit(10, TestChain.N1,
        c.tx(N4, join(inv, MOM)), c.tx(N5, join(inv, MOM)))).isInstanceOf(InvalidBlockException.class);
  }

  @Test
  void expiryIsJudgedAtTheBlocksTimestamp() {
    TestChain c = TestChain.standard();
    Invite inv = invite(c, MOM, false, id(5), c.time + 100);
    Transaction tx = c.tx(N4, join(inv, MOM));
    assertThat(c.check(tx).code()).isEqualTo(Code.VALID);
    // the same transaction in a block dated at the expiry is refused
    ValidationResult late = TxValidator.validateForNext(c.state, tx, c.time + 100);
    assertThat(late.code()).isEqualTo(Code.EXPIRED);
    assertThat(late.message()).contains("invite expired at");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.tryCommit(100, TestChain.N1, tx))
        .isInstanceOf(InvalidBlockException.class);
  }

  @Test
  void anInviteForAnotherChainOrGenesisIsRefused() {
    TestChain c = TestChain.standard();
    TestChain other = TestChain.create(1, 0, 30, List.of(MOM), List.of(TestChain.N1));
    // same chain id, other genesis (a family that started over)
    ValidationResult r = c.check(c.tx(N4, join(invite(other, MOM, false, id(6), c.time + 3600), MOM)));
    assertThat(r.code()).isEqualTo(Code.WRONG_CHAIN);
    assertThat(r.message()).contains("invite is for chain");
    Invite otherName = new Invite(id(7), "other-family", c.blocks.get(0).hash(), URL, URL, false, "", MOM.publicKeyHex(),
        c.time + 3600);
    assertThat(c.check(c.tx(N5, join(otherName, MOM))).code()).isEqualTo(Code.WRONG_CHAIN);
  }

  @Test
  void anInviteSignedByANonGuardianIsRefused() {
    TestChain c = TestChain.standard();
    ValidationResult kid = c.check(c.tx(N4, join(invite(c, KID, false, id(8), c.time + 3600), KID)));
    assertThat(kid.code()).isEqualTo(Code.INSUFFICIENT_PERMISSION);
    assertThat(kid.message()).contains("not a guardian");
    assertThat(c.check(c.tx(N4, join(invite(c, STRANGER, true, id(9), c.time + 3600), STRANGER))).code())
        .isEqualTo(Code.INSUFFICIENT_PERMISSION);
  }

  @Test
  void aTamperedInviteDoesNotParse() throws Exception {
    TestChain c = TestChain.standard();
    String code = InviteCodec.encode(invite(c, MOM, false, id(10), c.time + 3600), MOM);
    Invite asConsensus = invite(c, MOM, true, id(10), c.time + 3600);
    String forged = InviteCodec.encode(asConsensus, MOM)
        .split("\\.")[1];
    String tampered = InviteCodec.PREFIX + forged + "." + code.split("\\.")[2];
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Payload.NodeJoin.of(tampered))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signature does not match");
    // on the wire, a join whose role was turned to consensus is MALFORMED with that reason
    Transaction good = c.tx(N4, Payload.NodeJoin.of(code));
    String json = good.toJsonString().replace("\"role\":\"member\"", "\"role\":\"consensus\"");
    assertThat(json).contains("\"role\":\"consensus\"");
    ValidationResult r = TxValidator.validateJson(c.state, json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        c.time);
    assertThat(r.code()).isEqualTo(Code.MALFORMED);
    assertThat(r.message()).contains("signature does not match");
  }

  /** No address on chain: the join carries a digest of the invite's URLs, which the signature covers. */
  @Test
  void theJoinTransactionHoldsNoAddress() {
    TestChain c = TestChain.standard();
    Transaction tx = c.tx(N4, join(invite(c, MOM, true, id(13), c.time + 3600), MOM));
    assertThat(TextRules.looksLikeAddress(tx.toJsonString())).as(tx.toJsonString()).isFalse();
    assertThat(tx.toJsonString()).doesNotContain("127.0.0.1").doesNotContain("kmi1.");
  }

  @Test
  void aRegisteredKeyCannotJoinAgain() {
    TestChain c = TestChain.standard();
    ValidationResult r = c.check(c.tx(TestChain.N1, join(invite(c, MOM, true, id(11), c.time + 3600), MOM)));
    assertThat(r.code()).isEqualTo(Code.DUPLICATE);
  }

  @Test
  void usedInvitesSurviveARebuildFromTheBlocks() throws Exception {
    TestChain c = TestChain.standard();
    c.commit(10, c.tx(N4, join(invite(c, MOM, true, id(12), c.time + 3600), MOM)));
    GovernanceState replayed = Ledger.genesis(c.blocks.get(0)).state();
    replayed = Ledger.apply(replayed, c.blocks.get(1)).state();
    assertThat(replayed).isEqualTo(c.state);
    assertThat(replayed.usedInvites()).containsExactly(id(12));
    assertThat(replayed.genesisHash()).isEqualTo(c.blocks.get(0).hash());
  }
}
