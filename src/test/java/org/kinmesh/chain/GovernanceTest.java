package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.chain.TestChain.DAD;
import static org.kinmesh.chain.TestChain.GRANDMA;
import static org.kinmesh.chain.TestChain.KID;
import static org.kinmesh.chain.TestChain.MOM;
import static org.kinmesh.chain.TestChain.N1;
import static org.kinmesh.chain.TestChain.N2;
import static org.kinmesh.chain.TestChain.N3;
import static org.kinmesh.chain.TestChain.N4;
import static org.kinmesh.chain.TestChain.STRANGER;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Payload.DeauthMode;
import org.kinmesh.chain.ValidationResult.Code;

class GovernanceTest {
  private static final long HOUR = 3600;
  private static final long DAY = 86_400;

  static Payload suspend(org.kinmesh.crypto.Identity node, long ttl) {
    return new Payload.NodeDeauthorization(node.publicKeyHex(), DeauthMode.SUSPEND, "lost laptop", ttl);
  }

  static Payload remove(org.kinmesh.crypto.Identity node) {
    return new Payload.NodeDeauthorization(node.publicKeyHex(), DeauthMode.PERMANENT, "sold the machine", 0);
  }

  static Payload reactivate(org.kinmesh.crypto.Identity node) {
    return new Payload.NodeReactivation(node.publicKeyHex(), "found it");
  }

  @Test
  void genesisHoldsGuardiansAndConsensusNodes() {
    TestChain c = TestChain.standard();
    assertThat(c.state.guardianCount()).isEqualTo(2);
    assertThat(c.state.activeConsensusCount()).isEqualTo(3);
    assertThat(c.state.isAuthorized(N1.publicKeyHex())).isTrue();
    assertThat(c.state.checkVoter(N2.publicKeyHex()).code()).isEqualTo(Code.VALID);
    assertThat(c.state.checkVoter(MOM.publicKeyHex()).code()).isEqualTo(Code.NOT_A_CONSENSUS_NODE);
    assertThat(c.state.approvalThreshold()).isEqualTo(2);
    assertThat(c.blocks.get(0).hash()).isEqualTo(TestChain.standard().blocks.get(0).hash());
    assertThat(c.audit).extracting(AuditEntry::action).containsOnly("member_added", "node_registered");
  }

  @Nested
  class EveryType {
    @Test
    void nonConsensusRegistrationIsImmediate() {
      TestChain c = TestChain.standard();
      Transaction tx = c.tx(MOM, new Payload.NodeRegistration(N4.publicKeyHex(), 40, false, c.time));
      assertThat(c.check(tx).code()).isEqualTo(Code.VALID);
      c.commit(10, tx);
      assertThat(c.state.isAuthorized(N4.publicKeyHex())).isTrue();
      assertThat(c.state.activeConsensusCount()).isEqualTo(3);
    }

    @Test
    void consensusRegistrationWaitsForTheSecondParent() {
      TestChain c = TestChain.standard();
      Transaction tx = c.tx(MOM, new Payload.NodeRegistration(N4.publicKeyHex(), 4, true, c.time));
      assertThat(c.check(tx).code()).isEqualTo(Code.AWAITING_APPROVALS);
      c.commit(10, tx);
      assertThat(c.state.nodes()).doesNotContainKey(N4.publicKeyHex());
      Transaction ok = c.tx(DAD, new Payload.Approval(tx.hash()));
      assertThat(c.check(ok).code()).isEqualTo(Code.VALID);
      c.commit(10, ok);
      assertThat(c.state.activeConsensusCount()).isEqualTo(4);
    }

    @Test
    void registrationConflicts() {
      TestChain c = TestChain.standard();
      // the same registration again is a duplicate; a different one for the key says to remove it first
      assertThat(c.check(c.tx(MOM, new Payload.NodeRegistration(N1.publicKeyHex(), 1, true, c.time))).code())
          .isEqualTo(Code.DUPLICATE);
      ValidationResult changed = c.check(c.tx(MOM, new Payload.NodeRegistration(N1.publicKeyHex(), 9, false, c.time)));
      assertThat(changed.code()).isEqualTo(Code.CONFLICT);
      assertThat(changed.message()).contains("as a consensus node with node_id 1").contains("remove it first")
          .contains("register it again");
      assertThat(c.check(c.tx(MOM, new Payload.NodeRegistration(N4.publicKeyHex(), 1, false, c.time))).code())
          .isEqualTo(Code.CONFLICT);
      assertThat(c.check(c.tx(KID, new Payload.NodeRegistration(N4.publicKeyHex(), 9, false, c.time))).code())
          .isEqualTo(Code.INSUFFICIENT_PERMISSION);
    }

    @Test
    void familyMembersComeAndGo() {
      TestChain c = TestChain.standard();
      Transaction add = c.tx(MOM, new Payload.FamilyMemberAdd(KID.publicKeyHex(), "Kid", Role.MEMBER));
      assertThat(c.check(add).code()).isEqualTo(Code.VALID);
      c.commit(10, add);
      assertThat(c.state.isMember(KID.publicKeyHex())).isTrue();
      assertThat(c.check(c.tx(DAD, new Payload.FamilyMemberAdd(KID.publicKeyHex(), "Kid", Role.MEMBER))).code())
          .isEqualTo(Code.DUPLICATE);
      Transaction rm = c.tx(DAD, new Payload.FamilyMemberRemove(KID.publicKeyHex(), "grown up"));
      assertThat(c.check(rm).code()).isEqualTo(Code.VALID);
      c.commit(10, rm);
      assertThat(c.state.isMember(KID.publicKeyHex())).isFalse();
      assertThat(c.check(c.tx(DAD, new Payload.FamilyMemberRemove(KID.publicKeyHex(), "again"))).code())
          .isEqualTo(Code.UNKNOWN_TARGET);
    }

    @Test
    void addingOrRemovingAGuardianNeedsBothParents() {
      TestChain c = TestChain.standard();
      Transaction add = c.tx(MOM, new Payload.FamilyMemberAdd(GRANDMA.publicKeyHex(), "Grandma", Role.GUARDIAN));
      assertThat(c.check(add).code()).isEqualTo(Code.AWAITING_APPROVALS);
      c.commit(10, add);
      assertThat(c.state.isGuardian(GRANDMA.publicKeyHex())).isFalse();
      c.commit(10, c.tx(DAD, new Payload.Approval(add.hash())));
      assertThat(c.state.isGuardian(GRANDMA.publicKeyHex())).isTrue();
      Transaction rm = c.tx(MOM, new Payload.FamilyMemberRemove(DAD.publicKeyHex(), "divorce"));
      assertThat(c.check(rm).code()).isEqualTo(Code.AWAITING_APPROVALS);
      c.commit(10, rm);
      assertThat(c.state.isGuardian(DAD.publicKeyHex())).isTrue();
    }

    @Test
    void theLastGuardianStays() {
      TestChain c = TestChain.create(1, 0, 0, List.of(MOM), List.of(N1));
      assertThat(c.check(c.tx(MOM, new Payload.FamilyMemberRemove(MOM.publicKeyHex(), "leaving"))).code())
          .isEqualTo(Code.CONFLICT);
    }

    @Test
    void dataFromMembersAndNodesOnly() {
      TestChain c = TestChain.standard();
      c.commit(10, c.tx(MOM, new Payload.FamilyMemberAdd(KID.publicKeyHex(), "Kid", Role.MEMBER)));
      Payload data = Payload.Data.of(new byte[Payload.MAX_DATA_BYTES]);
      assertThat(c.check(c.tx(KID, data)).code()).isEqualTo(Code.VALID);
      assertThat(c.check(c.tx(N2, data)).code()).isEqualTo(Code.VALID);
      assertThat(c.check(c.tx(STRANGER, data)).code()).isEqualTo(Code.INSUFFICIENT_PERMISSION);
      assertThatThrownBy(() -> Payload.Data.of(new byte[Payload.MAX_DATA_BYTES + 1]))
          .hasMessageContaining("at most 16384 bytes");
      c.commit(10, c.tx(KID, data));
    }

    @Test
    void suspendedNodeMayNotSubmitData() {
      TestChain c = TestChain.standard();
      c.commit(10, c.tx(MOM, suspend(N3, HOUR)));
      assertThat(c.check(c.tx(N3, Payload.Data.of(new byte[] {1}))).code())
          .isEqualTo(Code.INSUFFICIENT_PERMISSION);
    }

    @Test
    void badTextIsRefusedWithTheFieldName() {
      assertThatThrownBy(() -> new Payload.FamilyMemberAdd(KID.publicKeyHex(), "", Role.MEMBER))
          .hasMessageContaining("display_name");
      assertThatThrownBy(() -> new Payload.NodeReactivation(N1.publicKeyHex(), "x".repeat(257)))
          .hasMessageContaining("reason");
      assertThatThrownBy(() -> new Payload.NodeReactivation(N1.publicKeyHex(), "two\nlines"))
          .hasMessageContaining("control");
      assertThatThrownBy(() -> new Payload.NodeDeauthorization(N1.publicKeyHex(), DeauthMode.SUSPEND, "r", 0))
          .hasMessageContaining("suspend_ttl_secs");
      assertThatThrownBy(() -> new Payload.NodeDeauthorization(N1.publicKeyHex(), DeauthMode.PERMANENT, "r", 5))
          .hasMessageContaining("suspend_ttl_secs");
      assertThatThrownBy(() -> new Payload.NodeRegistration(N1.publicKeyHex(), 1L << 32, true, 0))
          .hasMessageContaining("uint32");
    }
  }

  @Nested
  class MOfN {
    @Test
    void permanentRemovalNeedsTwoOfTwo() {
      TestChain c = TestChain.standard();
      Transaction proposal = c.tx(MOM, remove(N3));
      assertThat(c.check(proposal).code()).isEqualTo(Code.AWAITING_APPROVALS);
      c.commit(10, proposal);
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.state.proposals()).containsKey(proposal.hash());
      Transaction approval = c.tx(DAD, new Payload.Approval(proposal.hash()));
      c.commit(10, approval);
      assertThat(c.status(N3)).isEqualTo(NodeStatus.REMOVED);
      assertThat(c.state.checkVoter(N3.publicKeyHex()).code()).isEqualTo(Code.NOT_A_CONSENSUS_NODE);
      assertThat(c.state.closed().get(proposal.hash()).outcome()).isEqualTo(ProposalOutcome.EXECUTED);
      // a late approval is refused; the removed key may be registered again, with the approvals that needs
      assertThat(c.check(c.tx(MOM, new Payload.Approval(proposal.hash()))).code()).isEqualTo(Code.CONFLICT);
      assertThat(c.check(c.tx(MOM, new Payload.NodeRegistration(N3.publicKeyHex(), 77, true, c.time))).code())
          .isEqualTo(Code.AWAITING_APPROVALS);
      assertThat(c.check(c.tx(MOM, reactivate(N3))).code()).isEqualTo(Code.CONFLICT);
    }

    @Test
    void tooFewApprovalsLeaveItPending() {
      TestChain c = TestChain.create(3, 0, 0, List.of(MOM, DAD, GRANDMA), List.of(N1, N2, N3));
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      Transaction second = c.tx(DAD, new Payload.Approval(proposal.hash()));
      assertThat(c.check(second).code()).isEqualTo(Code.AWAITING_APPROVALS);
      c.commit(10, second);
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.state.proposals().get(proposal.hash()).approvers()).hasSize(2);
      c.commit(10, c.tx(GRANDMA, new Payload.Approval(proposal.hash())));
      assertThat(c.status(N3)).isEqualTo(NodeStatus.REMOVED);
    }

    @Test
    void approvalsExpireAfterTheWindow() {
      TestChain c = TestChain.standard();
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      c.commit(72 * HOUR);
      assertThat(c.state.closed().get(proposal.hash()).outcome()).isEqualTo(ProposalOutcome.EXPIRED);
      assertThat(c.audit).extracting(AuditEntry::action).contains("proposal_expired");
      Transaction late = c.tx(DAD, new Payload.Approval(proposal.hash()));
      assertThat(c.check(late).code()).isEqualTo(Code.EXPIRED);
      assertThatThrownBy(() -> c.tryCommit(10, N1, late)).isInstanceOf(InvalidBlockException.class)
          .satisfies(e -> assertThat(((InvalidBlockException) e).result().code()).isEqualTo(Code.EXPIRED));
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
    }

    @Test
    void oneGuardianCannotApproveTwice() {
      TestChain c = TestChain.create(3, 0, 0, List.of(MOM, DAD, GRANDMA), List.of(N1, N2, N3));
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      assertThat(c.check(c.tx(MOM, new Payload.Approval(proposal.hash()))).code()).isEqualTo(Code.DUPLICATE);
      c.commit(10, c.tx(DAD, new Payload.Approval(proposal.hash())));
      assertThat(c.check(c.tx(DAD, new Payload.Approval(proposal.hash()))).code()).isEqualTo(Code.DUPLICATE);
    }

    @Test
    void nonGuardiansCannotApprove() {
      TestChain c = TestChain.standard();
      c.commit(10, c.tx(MOM, new Payload.FamilyMemberAdd(KID.publicKeyHex(), "Kid", Role.MEMBER)));
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      assertThat(c.check(c.tx(KID, new Payload.Approval(proposal.hash()))).code())
          .isEqualTo(Code.INSUFFICIENT_PERMISSION);
      assertThat(c.check(c.tx(N1, new Payload.Approval(proposal.hash()))).code())
          .isEqualTo(Code.INSUFFICIENT_PERMISSION);
    }

    @Test
    void unknownProposalAndDoubleProposal() {
      TestChain c = TestChain.standard();
      assertThat(c.check(c.tx(DAD, new Payload.Approval("ab".repeat(32)))).code()).isEqualTo(Code.UNKNOWN_TARGET);
      c.commit(10, c.tx(MOM, remove(N3)));
      assertThat(c.check(c.tx(DAD, remove(N3))).code()).isEqualTo(Code.CONFLICT);
      assertThat(c.check(c.tx(DAD, remove(N4))).code()).isEqualTo(Code.UNKNOWN_TARGET);
    }
  }

  @Nested
  class TimeLock {
    TestChain chain() {
      return TestChain.create(2, 24, 0, List.of(MOM, DAD), List.of(N1, N2, N3));
    }

    @Test
    void takesEffectAtOnceAndIsConfirmed() {
      TestChain c = chain();
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      assertThat(c.status(N3)).isEqualTo(NodeStatus.PENDING_REMOVAL);
      assertThat(c.state.isAuthorized(N3.publicKeyHex())).isFalse();
      assertThat(c.state.activeConsensusCount()).isEqualTo(2);
      c.commit(23 * HOUR, c.tx(DAD, new Payload.Approval(proposal.hash())));
      assertThat(c.status(N3)).isEqualTo(NodeStatus.REMOVED);
      assertThat(c.state.closed().get(proposal.hash()).outcome()).isEqualTo(ProposalOutcome.CONFIRMED);
    }

    @Test
    void revertsUnlessConfirmedInTime() {
      TestChain c = chain();
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      c.commit(24 * HOUR);
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.state.closed().get(proposal.hash()).outcome()).isEqualTo(ProposalOutcome.REVERTED);
      assertThat(c.audit).extracting(AuditEntry::action).contains("deauthorization_reverted");
      assertThat(c.check(c.tx(DAD, new Payload.Approval(proposal.hash()))).code()).isEqualTo(Code.EXPIRED);
    }

    @Test
    void theOtherGuardianCanUndoItAtOnce() {
      TestChain c = chain();
      Transaction proposal = c.tx(MOM, remove(N3));
      c.commit(10, proposal);
      c.commit(10, c.tx(DAD, reactivate(N3)));
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.state.closed().get(proposal.hash()).outcome()).isEqualTo(ProposalOutcome.CANCELLED);
    }
  }

  @Nested
  class Suspension {
    @Test
    void anyOneGuardianSuspendsAndItExpiresByBlockTime() {
      TestChain c = TestChain.standard();
      Transaction s = c.tx(DAD, suspend(N2, 2 * HOUR));
      assertThat(c.check(s).code()).isEqualTo(Code.VALID);
      c.commit(10, s);
      assertThat(c.status(N2)).isEqualTo(NodeStatus.SUSPENDED);
      assertThat(c.state.checkVoter(N2.publicKeyHex()).message()).contains("suspended");
      assertThatThrownBy(() -> c.tryCommit(10, N2)).isInstanceOf(InvalidBlockException.class)
          .satisfies(e -> assertThat(((InvalidBlockException) e).result().code())
              .isEqualTo(Code.NOT_A_CONSENSUS_NODE));
      c.commit(2 * HOUR - 1);
      assertThat(c.status(N2)).isEqualTo(NodeStatus.SUSPENDED);
      c.commit(1);
      assertThat(c.status(N2)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.audit).extracting(AuditEntry::action).contains("suspension_expired");
    }

    @Test
    void earlyReactivation() {
      TestChain c = TestChain.standard();
      c.commit(10, c.tx(DAD, suspend(N2, DAY)));
      Transaction r = c.tx(MOM, reactivate(N2));
      assertThat(c.check(r).code()).isEqualTo(Code.VALID);
      c.commit(60, r);
      assertThat(c.status(N2)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.check(c.tx(MOM, reactivate(N2))).code()).isEqualTo(Code.CONFLICT);
      assertThat(c.check(c.tx(MOM, reactivate(N4))).code()).isEqualTo(Code.UNKNOWN_TARGET);
    }
  }

  @Nested
  class Inactivity {
    @Test
    void aNodeThatSignsNothingForXDaysIsDeactivated() {
      TestChain c = TestChain.create(2, 0, 2, List.of(MOM, DAD), List.of(N1, N2, N3));
      List<String> n2signs = List.of(N2.publicKeyHex());
      try {
        c.tryCommit(DAY, N1, n2signs);
        c.tryCommit(DAY - 1, N1, n2signs);
        assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
        c.tryCommit(1, N1, n2signs);
      } catch (InvalidBlockException e) {
        throw new AssertionError(e);
      }
      assertThat(c.status(N3)).isEqualTo(NodeStatus.INACTIVE);
      assertThat(c.status(N2)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.status(N1)).isEqualTo(NodeStatus.ACTIVE);
      assertThat(c.audit).filteredOn(a -> a.action().equals("node_inactive"))
          .extracting(AuditEntry::target, AuditEntry::actor)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(N3.publicKeyHex(), AuditEntry.SYSTEM_ACTOR));
      c.commit(10, c.tx(MOM, reactivate(N3)));
      assertThat(c.status(N3)).isEqualTo(NodeStatus.ACTIVE);
    }

    @Test
    void commitSignersMustBeConsensusNodes() {
      TestChain c = TestChain.standard();
      assertThatThrownBy(() -> c.tryCommit(10, N1, List.of(MOM.publicKeyHex())))
          .isInstanceOf(InvalidBlockException.class).hasMessageContaining("NOT_A_CONSENSUS_NODE");
    }
  }

  @Nested
  class Replay {
    @Test
    void aReplayedTransactionIsRejected() {
      TestChain c = TestChain.standard();
      Transaction data = c.tx(N1, Payload.Data.of(new byte[] {42}));
      c.commit(10, data);
      assertThat(c.check(data).code()).isEqualTo(Code.DUPLICATE);
      assertThatThrownBy(() -> c.tryCommit(10, N1, data)).isInstanceOf(InvalidBlockException.class)
          .hasMessageContaining("replayed");
    }

    @Test
    void theSameTransactionTwiceInOneBlockIsRejected() {
      TestChain c = TestChain.standard();
      Transaction data = c.tx(N1, Payload.Data.of(new byte[] {42}));
      assertThatThrownBy(() -> c.tryCommit(10, N1, data, data)).isInstanceOf(InvalidBlockException.class)
          .satisfies(e -> assertThat(((InvalidBlockException) e).txIndex()).isEqualTo(1));
    }
  }

  @Nested
  class Blocks {
    @Test
    void blocksMustExtendTheHead() throws Exception {
      TestChain c = TestChain.standard();
      GovernanceState s = c.state;
      Block wrongPrev = Block.of(TestChain.CHAIN, 1, "ab".repeat(32), c.time, N1.publicKeyHex(), List.of(), List.of());
      assertThatThrownBy(() -> Ledger.apply(s, wrongPrev)).hasMessageContaining("prev_hash");
      Block wrongHeight = Block.of(TestChain.CHAIN, 2, s.headHash(), c.time, N1.publicKeyHex(), List.of(), List.of());
      assertThatThrownBy(() -> Ledger.apply(s, wrongHeight)).hasMessageContaining("height");
      Block past = Block.of(TestChain.CHAIN, 1, s.headHash(), c.time - 1, N1.publicKeyHex(), List.of(), List.of());
      assertThatThrownBy(() -> Ledger.apply(s, past)).hasMessageContaining("timestamp");
      Block other = Block.of("other", 1, s.headHash(), c.time, N1.publicKeyHex(), List.of(), List.of());
      assertThatThrownBy(() -> Ledger.apply(s, other)).hasMessageContaining("WRONG_CHAIN");
      Block byParent = Block.of(TestChain.CHAIN, 1, s.headHash(), c.time, MOM.publicKeyHex(), List.of(), List.of());
      assertThatThrownBy(() -> Ledger.apply(s, byParent)).hasMessageContaining("NOT_A_CONSENSUS_NODE");
    }

    @Test
    void theCommitCertificateIsOutsideTheHash() throws Exception {
      TestChain c = TestChain.standard();
      c.commit(10, c.tx(N1, Payload.Data.of(new byte[] {1})));
      Block b = c.blocks.get(1);
      Block certified = b.withCommitCertificate("{\"signers\":[\"" + N2.publicKeyHex() + "\"]}");
      assertThat(certified.hash()).isEqualTo(b.hash());
      Block parsed = Block.parse(certified.toJsonBytes());
      assertThat(parsed).isEqualTo(certified);
    }
  }
}
