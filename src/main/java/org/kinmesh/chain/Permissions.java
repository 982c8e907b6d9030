package org.kinmesh.chain;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one table of who may send what. Management of nodes and family is guardian-only and
 * global; DATA needs a family member or an authorized node key (host applications submit
 * through their node) and touches only the sender's own data. Actions that could hand one
 * guardian control (removing a node for good, adding or removing a guardian, adding a
 * consensus node that shifts the quorum) wait for M-of-N guardian approvals.
 */
public final class Permissions {
  public enum Permission {
    GUARDIAN, MEMBER_OR_NODE,
    /** Anyone holding a guardian's invite: TxValidator checks the invite and its guardian. */
    INVITE
  }

  public enum Scope { GLOBAL, SENDER }

  /** What a type needs, and whether the genesis block may carry it as a system transaction. */
  public record Rule(Permission permission, Scope scope, boolean inGenesis) {}

  private static final Map<TxType, Rule> TABLE = new EnumMap<>(TxType.class);

  static {
    TABLE.put(TxType.NODE_REGISTRATION, new Rule(Permission.GUARDIAN, Scope.GLOBAL, true));
    TABLE.put(TxType.NODE_DEAUTHORIZATION, new Rule(Permission.GUARDIAN, Scope.GLOBAL, false));
    TABLE.put(TxType.NODE_REACTIVATION, new Rule(Permission.GUARDIAN, Scope.GLOBAL, false));
    TABLE.put(TxType.FAMILY_MEMBER_ADD, new Rule(Permission.GUARDIAN, Scope.GLOBAL, true));
    TABLE.put(TxType.FAMILY_MEMBER_REMOVE, new Rule(Permission.GUARDIAN, Scope.GLOBAL, false));
    TABLE.put(TxType.APPROVAL, new Rule(Permission.GUARDIAN, Scope.GLOBAL, false));
    TABLE.put(TxType.DATA, new Rule(Permission.MEMBER_OR_NODE, Scope.SENDER, false));
    TABLE.put(TxType.NODE_JOIN, new Rule(Permission.INVITE, Scope.SENDER, false));
  }

  private Permissions() {}

  public static Rule rule(TxType type) {
    return TABLE.get(type);
  }

  public static boolean allows(GovernanceState s, String sender, TxType type) {
    return switch (rule(type).permission()) {
      case GUARDIAN -> s.isGuardian(sender);
      case MEMBER_OR_NODE -> s.isMember(sender) || s.isAuthorized(sender);
      case INVITE -> true;
    };
  }

  /** True when the transaction's effect must wait for M-of-N guardian approvals. */
  public static boolean needsGuardianQuorum(GovernanceState s, Transaction tx) {
    if (s.approvalThreshold() <= 1) {
      return false;
    }
    Payload p = tx.payload();
    if (p instanceof Payload.NodeDeauthorization d) {
      return d.mode() == Payload.DeauthMode.PERMANENT;
    }
    if (p instanceof Payload.FamilyMemberAdd a) {
      return a.role() == Role.GUARDIAN;
    }
    if (p instanceof Payload.FamilyMemberRemove r) {
      return s.isGuardian(r.memberPubkey());
    }
    if (p instanceof Payload.NodeRegistration n) {
      return n.consensusNode();
    }
    if (p instanceof Payload.NodeJoin j) {
      return j.invite().consensus();
    }
    return false;
  }
}
