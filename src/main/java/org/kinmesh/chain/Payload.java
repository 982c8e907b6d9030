package org.kinmesh.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.kinmesh.crypto.Hex;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;
import org.kinmesh.invite.InviteException;
import org.kinmesh.invite.InviteGrant;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The typed body of a transaction. Each record checks its own bounds in its constructor (a bad
 * value is an IllegalArgumentException there, and MALFORMED when parsed from JSON), lists its
 * canonical fields in signing order, and writes its JSON fields.
 */
public sealed interface Payload {
  int MAX_DATA_BYTES = 16 * 1024;
  long MAX_NODE_ID = 0xFFFF_FFFFL;

  TxType type();

  /** Fields after the common header, in canonical order (docs/chain.md). */
  List<Object> canonicalFields();

  void writeJson(ObjectNode out);

  /** Node key registration; no address: peers find endpoints off chain. */
  record NodeRegistration(String nodePubkey, long nodeId, boolean consensusNode, long registrationTimestamp)
      implements Payload {
    public NodeRegistration {
      requireKey("node_pubkey", nodePubkey);
      require(nodeId >= 0 && nodeId <= MAX_NODE_ID, "field 'node_id' must be a uint32");
      require(WireRules.isTimestamp(registrationTimestamp), "field 'registration_timestamp' out of range");
    }

    public TxType type() {
      return TxType.NODE_REGISTRATION;
    }

    public List<Object> canonicalFields() {
      return List.of(nodePubkey, nodeId, consensusNode ? "true" : "false", registrationTimestamp);
    }

    public void writeJson(ObjectNode out) {
      out.put("node_pubkey", nodePubkey).put("node_id", nodeId).put("is_consensus_node", consensusNode)
          .put("registration_timestamp", registrationTimestamp);
    }

    static NodeRegistration parse(StrictJson j) throws WireException {
      FieldReader r = new FieldReader(j);
      return build(() -> new NodeRegistration(r.publicKey("node_pubkey"), j.requireLong("node_id"),
          j.requireBoolean("is_consensus_node"), r.timestamp("registration_timestamp")));
    }
  }

  enum DeauthMode {
    SUSPEND, PERMANENT;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static DeauthMode fromWire(String s) throws WireException {
      for (DeauthMode m : values()) {
        if (m.wire().equals(s)) {
          return m;
        }
      }
      throw WireException.malformed("field 'mode' must be 'suspend' or 'permanent'");
    }
  }

  /** Suspend (one guardian, for a TTL) or remove for good (M-of-N guardians). */
  record NodeDeauthorization(String targetPubkey, DeauthMode mode, String reason, long suspendTtlSecs)
      implements Payload {
    public NodeDeauthorization {
      requireKey("target_pubkey", targetPubkey);
      require(mode != null, "field 'mode' is required");
      requireText("reason", reason, 0, TextRules.MAX_REASON_CHARS);
      if (mode == DeauthMode.SUSPEND) {
        require(suspendTtlSecs >= 1 && suspendTtlSecs <= ChainParams.MAX_SUSPEND_TTL_SECS,
            "field 'suspend_ttl_secs' must be 1-" + ChainParams.MAX_SUSPEND_TTL_SECS + " for mode suspend");
      } else {
        require(suspendTtlSecs == 0, "field 'suspend_ttl_secs' must be 0 for mode permanent");
      }
    }

    public TxType type() {
      return TxType.NODE_DEAUTHORIZATION;
    }

    public List<Object> canonicalFields() {
      return List.of(targetPubkey, mode.wire(), reason, suspendTtlSecs);
    }

    public void writeJson(ObjectNode out) {
      out.put("target_pubkey", targetPubkey).put("mode", mode.wire()).put("reason", reason)
          .put("suspend_ttl_secs", suspendTtlSecs);
    }

    static NodeDeauthorization parse(StrictJson j) throws WireException {
      FieldReader r = new FieldReader(j);
      String target = r.publicKey("target_pubkey");
      DeauthMode mode = DeauthMode.fromWire(j.requireString("mode"));
      String reason = j.requireString("reason");
      long ttl = j.requireLong("suspend_ttl_secs");
      return build(() -> new NodeDeauthorization(target, mode, reason, ttl));
    }
  }

  /** Lifts a suspension, inactivity or a time-locked removal; never a permanent one. */
  record NodeReactivation(String targetPubkey, String reason) implements Payload {
    public NodeReactivation {
      requireKey("target_pubkey", targetPubkey);
      requireText("reason", reason, 0, TextRules.MAX_REASON_CHARS);
    }

    public TxType type() {
      return TxType.NODE_REACTIVATION;
    }

    public List<Object> canonicalFields() {
      return List.of(targetPubkey, reason);
    }

    public void writeJson(ObjectNode out) {
      out.put("target_pubkey", targetPubkey).put("reason", reason);
    }

    static NodeReactivation parse(StrictJson j) throws WireException {
      FieldReader r = new FieldReader(j);
      String target = r.publicKey("target_pubkey");
      String reason = j.requireString("reason");
      return build(() -> new NodeReactivation(target, reason));
    }
  }

  record FamilyMemberAdd(String memberPubkey, String displayName, Role role) implements Payload {
    public FamilyMemberAdd {
      requireKey("member_pubkey", memberPubkey);
      requireText("display_name", displayName, 1, TextRules.MAX_DISPLAY_NAME_CHARS);
      require(role != null, "field 'role' is required");
    }

    public TxType type() {
      return TxType.FAMILY_MEMBER_ADD;
    }

    public List<Object> canonicalFields() {
      return List.of(memberPubkey, displayName, role.wire());
    }

    public void writeJson(ObjectNode out) {
      out.put("member_pubkey", memberPubkey).put("display_name", displayName).put("role", role.wire());
    }

    static FamilyMemberAdd parse(StrictJson j) throws WireException {
      FieldReader r = new FieldReader(j);
      String key = r.publicKey("member_pubkey");
      String name = j.requireString("display_name");
      Role role = Role.fromWire(j.requireString("role"));
      return build(() -> new FamilyMemberAdd(key, name, role));
    }
  }

  record FamilyMemberRemove(String memberPubkey, String reason) implements Payload {
    public FamilyMemberRemove {
      requireKey("member_pubkey", memberPubkey);
      requireText("reason", reason, 0, TextRules.MAX_REASON_CHARS);
    }

    public TxType type() {
      return TxType.FAMILY_MEMBER_REMOVE;
    }

    public List<Object> canonicalFields() {
      return List.of(memberPubkey, reason);
    }

    public void writeJson(ObjectNode out) {
      out.put("member_pubkey", memberPubkey).put("reason", reason);
    }

    static FamilyMemberRemove parse(StrictJson j) throws WireException {
      FieldReader r = new FieldReader(j);
      String key = r.publicKey("member_pubkey");
      String reason = j.requireString("reason");
      return build(() -> new FamilyMemberRemove(key, reason));
    }
  }

  /** A guardian's approval of the proposal whose transaction hash is resource_id. */
  record Approval(String resourceId) implements Payload {
    public Approval {
      require(WireRules.isSha256Hex(resourceId), "field 'resource_id' must be 64 lowercase hex characters");
    }

    public TxType type() {
      return TxType.APPROVAL;
    }

    public List<Object> canonicalFields() {
      return List.of(resourceId);
    }

    public void writeJson(ObjectNode out) {
      out.put("resource_id", resourceId);
    }

    static Approval parse(StrictJson j) throws WireException {
      String id = j.requireString("resource_id");
      return build(() -> new Approval(id));
    }
  }

  /**
   * Opaque bytes of a host application, carried as lowercase hex: hex has no '.', ':' or line
   * breaks, so it cannot spell an address literal nor break the canonical form.
   */
  record Data(String payloadHex) implements Payload {
    public Data {
      require(payloadHex != null && payloadHex.length() <= 2 * MAX_DATA_BYTES
              && Hex.isLowerHex(payloadHex, payloadHex.length() / 2),
          "field 'payload' must be lowercase hex of at most " + MAX_DATA_BYTES + " bytes");
    }

    public static Data of(byte[] bytes) {
      return new Data(Hex.encode(bytes));
    }

    public TxType type() {
      return TxType.DATA;
    }

    public List<Object> canonicalFields() {
      return List.of(payloadHex);
    }

    public void writeJson(ObjectNode out) {
      out.put("payload", payloadHex);
    }

    static Data parse(StrictJson j) throws WireException {
      String p = j.requireString("payload");
      return build(() -> new Data(p));
    }
  }

  /**
   * A node registering itself with a guardian's invite; the sender is the new node's key. It
   * carries the invite's grant (no URLs: no address goes on chain) and the guardian's signature,
   * checked here, so a NodeJoin in hand carries a genuine invite; whether it still holds (chain,
   * expiry, unused, guardian) is the validator's question.
   */
  record NodeJoin(InviteGrant invite) implements Payload {
    public NodeJoin {
      require(invite != null, "field 'invite_id' is required");
      requireText("invite_name", invite.name(), 0, Invite.MAX_NAME_CHARS);
      require(invite.verifies(), "the invite's signature does not match its content: it was changed or damaged;"
          + " ask the guardian for a new invite");
    }

    /** From the code kinmesh invite printed; a damaged one is an IllegalArgumentException saying so. */
    public static NodeJoin of(String inviteCode) {
      try {
        return new NodeJoin(InviteCodec.grant(inviteCode));
      } catch (InviteException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }

    public TxType type() {
      return TxType.NODE_JOIN;
    }

    public List<Object> canonicalFields() {
      return List.of(invite.id(), invite.blockchainId(), invite.genesisHash(), invite.locatorHash(), invite.role(),
          invite.name(), invite.guardian(), invite.expiresAt(), invite.signature());
    }

    public void writeJson(ObjectNode out) {
      out.put("invite_id", invite.id()).put("invite_chain", invite.blockchainId())
          .put("invite_genesis", invite.genesisHash()).put("invite_locator", invite.locatorHash())
          .put("role", invite.role()).put("invite_name", invite.name()).put("guardian", invite.guardian())
          .put("expires", invite.expiresAt()).put("invite_signature", invite.signature());
    }

    static NodeJoin parse(StrictJson j) throws WireException {
      String role = j.requireString("role");
      if (!role.equals("consensus") && !role.equals("member")) {
        throw WireException.malformed("field 'role' must be consensus or member");
      }
      String id = j.requireString("invite_id");
      String chain = j.requireString("invite_chain");
      String genesis = j.requireString("invite_genesis");
      String locator = j.requireString("invite_locator");
      String name = j.requireString("invite_name");
      String guardian = j.requireString("guardian");
      long expires = j.requireLong("expires");
      String sig = j.requireString("invite_signature");
      return build(() -> new NodeJoin(new InviteGrant(id, chain, genesis, locator, role.equals("consensus"), name,
          guardian, expires, sig)));
    }
  }

  static Payload parse(TxType type, StrictJson j) throws WireException {
    return switch (type) {
      case NODE_REGISTRATION -> NodeRegistration.parse(j);
      case NODE_DEAUTHORIZATION -> NodeDeauthorization.parse(j);
      case NODE_REACTIVATION -> NodeReactivation.parse(j);
      case FAMILY_MEMBER_ADD -> FamilyMemberAdd.parse(j);
      case FAMILY_MEMBER_REMOVE -> FamilyMemberRemove.parse(j);
      case APPROVAL -> Approval.parse(j);
      case DATA -> Data.parse(j);
      case NODE_JOIN -> NodeJoin.parse(j);
    };
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireKey(String field, String key) {
    require(WireRules.isPublicKeyHex(key), "field '" + field + "' must be 64 lowercase hex characters");
  }

  private static void requireText(String field, String value, int min, int max) {
    require(value != null, "field '" + field + "' is required");
    String problem = TextRules.checkText(field, value, min, max);
    require(problem == null, problem);
  }

  /** Turns a constructor's IllegalArgumentException into MALFORMED. */
  interface Builder<T> {
    T get() throws WireException;
  }

  static <T> T build(Builder<T> b) throws WireException {
    try {
      return b.get();
    } catch (IllegalArgumentException e) {
      throw WireException.malformed(e.getMessage());
    }
  }
}
