package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.chain.TestChain.DAD;
import static org.kinmesh.chain.TestChain.KID;
import static org.kinmesh.chain.TestChain.MOM;
import static org.kinmesh.chain.TestChain.N1;
import static org.kinmesh.chain.TestChain.N4;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.ValidationResult.Code;
import org.kinmesh.wire.WireException;

/** Every ValidationResult code is reachable, and every malformed input is named. */
class ValidationCodesTest {
  @Test
  void everyCodeIsReachable() throws Exception {
    Set<Code> seen = EnumSet.noneOf(Code.class);
    TestChain c = TestChain.standard();
    Transaction data = c.tx(N1, Payload.Data.of(new byte[] {1}));
    seen.add(c.check(data).code());
    Transaction proposal = c.tx(MOM, GovernanceTest.remove(TestChain.N3));
    seen.add(c.check(proposal).code());
    seen.add(TxValidator.validateJson(c.state, "{\"type\":1}".getBytes(StandardCharsets.UTF_8), c.time).code());
    seen.add(c.check(Transaction.sign(N1, "other-chain", 9, c.time, Payload.Data.of(new byte[0]))).code());
    Transaction forged = new Transaction(TestChain.CHAIN, KID.publicKeyHex(), 1, c.time, Payload.Data.of(new byte[0]),
        data.signature(), null);
    seen.add(c.check(forged).code());
    seen.add(c.check(c.tx(KID, Payload.Data.of(new byte[0]))).code());
    seen.add(c.check(c.tx(MOM, GovernanceTest.reactivate(N4))).code());
    seen.add(c.state.checkVoter(MOM.publicKeyHex()).code());
    seen.add(c.check(c.tx(MOM, new Payload.FamilyMemberAdd(DAD.publicKeyHex(), "Dad", Role.MEMBER))).code());
    seen.add(c.check(c.tx(MOM, GovernanceTest.reactivate(N1))).code());
    seen.add(c.check(c.txAt(N1, Payload.Data.of(new byte[0]), c.time - 86_401)).code());
    seen.add(c.check(c.txAt(N1, Payload.Data.of(new byte[0]), c.time + 301)).code());
    org.kinmesh.invite.Invite inv = InviteJoinTest.invite(c, MOM, false, InviteJoinTest.id(99), c.time + 3600);
    TestChain used = TestChain.standard();
    used.commit(1, used.tx(N4, InviteJoinTest.join(inv, MOM)));
    seen.add(used.check(used.tx(TestChain.key(15), InviteJoinTest.join(inv, MOM))).code());
    try {
      Ledger.apply(c.state, Block.of(TestChain.CHAIN, 5, c.state.headHash(), c.time, N1.publicKeyHex(), List.of(),
          List.of()));
    } catch (InvalidBlockException e) {
      seen.add(e.result().code());
    }
    assertThat(seen).containsExactlyInAnyOrder(Code.values());
  }

  @Test
  void systemTransactionsOnlyInGenesis() {
    TestChain c = TestChain.standard();
    Transaction sys = Transaction.system(TestChain.CHAIN, 1, c.time,
        new Payload.FamilyMemberAdd(KID.publicKeyHex(), "Kid", Role.GUARDIAN));
    assertThat(c.check(sys).code()).isEqualTo(Code.INVALID_SIGNATURE);
  }

  @Test
  void transactionsAndBlocksRoundTripThroughJson() throws Exception {
    TestChain c = BusyChain.build(7, 40);
    for (Block b : c.blocks) {
      assertThat(Block.parse(b.toJsonBytes())).isEqualTo(b);
      for (Transaction tx : b.transactions()) {
        assertThat(Transaction.parse(tx.toJsonBytes())).isEqualTo(tx);
      }
    }
  }

  @Test
  void malformedInputNamesTheField() {
    TestChain c = TestChain.standard();
    String good = new String(c.tx(MOM, GovernanceTest.suspend(N1, 60)).toJsonBytes(), StandardCharsets.UTF_8);
    assertMalformed(good.replace("\"mode\":\"suspend\"", "\"mode\":\"forever\""), "mode");
    assertMalformed(good.replace("\"suspend_ttl_secs\":60", "\"suspend_ttl_secs\":0"), "suspend_ttl_secs");
    assertMalformed(good.replace("\"type\":\"node_deauthorization\"", "\"type\":\"teleport\""), "type");
    assertMalformed(good.replace("\"reason\":\"lost laptop\"", "\"reason\":\"moved to 10.0.0.7\""), "reason");
    assertMalformed(good.replace("\"reason\":\"lost laptop\"", "\"reason\":\"nas.local:8080\""), "reason");
    assertMalformed(good.replace("\"hash\":\"", "\"hash\":\"00"), "hash");
    assertMalformed(good.replace("{", "{\"nonce\":3,"), "Duplicate field");
    assertMalformed(good.replace("\"nonce\":1", "\"nonce\":0"), "nonce");
    assertMalformed(good.replaceFirst("\"sender\":\"[0-9a-f]{2}", "\"sender\":\"AB"), "sender");
    String data = new String(c.tx(N1, Payload.Data.of(new byte[] {1})).toJsonBytes(), StandardCharsets.UTF_8);
    assertMalformed(data.replace("\"payload\":\"01\"", "\"payload\":\"" + "00".repeat(16_385) + "\""), "payload");
    assertMalformed(data.replace("\"payload\":\"01\"", "\"payload\":\"0\""), "payload");
  }

  @Test
  void blockBoundsAreChecked() {
    TestChain c = TestChain.standard();
    assertThatThrownBy(() -> Block.of(TestChain.CHAIN, 1, c.state.headHash(), c.time, N1.publicKeyHex(),
        List.of(TestChain.N2.publicKeyHex(), N1.publicKeyHex()), List.of())).hasMessageContaining("sorted");
    Transaction tx = c.tx(N1, Payload.Data.of(new byte[0]));
    assertThatThrownBy(() -> Block.of(TestChain.CHAIN, 1, c.state.headHash(), c.time, N1.publicKeyHex(), List.of(),
        java.util.Collections.nCopies(Block.MAX_TXS + 1, tx))).hasMessageContaining("at most 1000");
    Transaction big = c.tx(N1, Payload.Data.of(new byte[Payload.MAX_DATA_BYTES]));
    assertThatThrownBy(() -> Block.of(TestChain.CHAIN, 1, c.state.headHash(), c.time, N1.publicKeyHex(), List.of(),
        java.util.Collections.nCopies(65, big))).hasMessageContaining("DATA bytes");
    byte[] json = c.blocks.get(0).toJsonBytes();
    String tampered = new String(json, StandardCharsets.UTF_8).replace("\"deauth_threshold\":2",
        "\"deauth_threshold\":1");
    assertThatThrownBy(() -> Block.parse(tampered.getBytes(StandardCharsets.UTF_8))).hasMessageContaining("hash");
  }

  private static void assertMalformed(String json, String mention) {
    assertThatThrownBy(() -> Transaction.parse(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireException.class).hasMessageContaining(mention);
  }
}
