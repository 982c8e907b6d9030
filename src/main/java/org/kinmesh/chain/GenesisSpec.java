package org.kinmesh.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The input of `kinmesh genesis`: blockchain id, guardians, consensus nodes and optional
 * governance parameters. Every error names the field, e.g. {@code guardians[1].pubkey}.
 */
public record GenesisSpec(ChainParams params, long genesisTimestamp, List<Guardian> guardians,
    List<ConsensusNode> consensusNodes) {
  public static final int MAX_GUARDIANS = 64;
  public static final int MAX_CONSENSUS_NODES = Block.MAX_COMMIT_SIGNERS;

  public record Guardian(String pubkey, String displayName) {}

  public record ConsensusNode(String pubkey, long nodeId) {}

  public GenesisSpec {
    guardians = List.copyOf(guardians);
    consensusNodes = List.copyOf(consensusNodes);
  }

  /** Parses and checks a spec; WireException (MALFORMED) with the field's name on any problem. */
  public static GenesisSpec parse(byte[] utf8) throws WireException {
    return parse(utf8, 0);
  }

  /**
   * As {@link #parse(byte[])}, with the genesis time to use when the spec names none. The
   * genesis time starts every node's inactivity clock: a chain born "in 1970" would find every
   * node but the first proposer inactive at block 1, so the CLI passes the current time.
   */
  public static GenesisSpec parse(byte[] utf8, long defaultTimestamp) throws WireException {
    StrictJson j = StrictJson.parse(utf8);
    ChainParams params = ChainParams.fromJson(j);
    long ts = j.has("genesis_timestamp") ? j.requireLong("genesis_timestamp") : defaultTimestamp;
    if (!WireRules.isTimestamp(ts)) {
      throw WireException.malformed("field 'genesis_timestamp' must be Unix seconds from 0 to 2^53");
    }
    List<Guardian> guardians = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<JsonNode> gs = j.requireArray("guardians", MAX_GUARDIANS);
    if (gs.isEmpty()) {
      throw WireException.malformed("field 'guardians' needs at least one guardian");
    }
    for (int i = 0; i < gs.size(); i++) {
      String at = "guardians[" + i + "]";
      StrictJson g = StrictJson.element(gs.get(i), at);
      String key = key(g, at + ".pubkey");
      String name = g.has("display_name") ? g.requireString("display_name") : "";
      String problem = TextRules.checkText(at + ".display_name", name, 1, TextRules.MAX_DISPLAY_NAME_CHARS);
      if (problem != null) {
        throw WireException.malformed(problem);
      }
      if (!seen.add(key)) {
        throw WireException.malformed("field '" + at + ".pubkey' repeats an earlier guardian");
      }
      guardians.add(new Guardian(key, name));
    }
    List<ConsensusNode> nodes = new ArrayList<>();
    Set<String> nodeKeys = new HashSet<>();
    Set<Long> ids = new HashSet<>();
    List<JsonNode> ns = j.requireArray("consensus_nodes", MAX_CONSENSUS_NODES);
    if (ns.isEmpty()) {
      throw WireException.malformed("field 'consensus_nodes' needs at least one node");
    }
    for (int i = 0; i < ns.size(); i++) {
      String at = "consensus_nodes[" + i + "]";
      StrictJson n = StrictJson.element(ns.get(i), at);
      String key = key(n, at + ".pubkey");
      long id;
      try {
        id = n.requireLong("node_id");
      } catch (WireException e) {
        throw WireException.malformed("field '" + at + ".node_id' must be an integer");
      }
      if (id < 0 || id > Payload.MAX_NODE_ID) {
        throw WireException.malformed("field '" + at + ".node_id' must be a uint32");
      }
      if (!nodeKeys.add(key)) {
        throw WireException.malformed("field '" + at + ".pubkey' repeats an earlier consensus node");
      }
      if (!ids.add(id)) {
        throw WireException.malformed("field '" + at + ".node_id' repeats an earlier node_id");
      }
      nodes.add(new ConsensusNode(key, id));
    }
    if (!j.has("deauth_threshold") && params.deauthThreshold() > guardians.size()) {
      // Unset: the default (2) capped by the guardians there are, so a single parent can start a chain.
      ChainParams p = params;
      params = Payload.build(() -> new ChainParams(p.blockchainId(), guardians.size(), p.timelockHours(),
          p.inactivityDays(), p.approvalWindowHours(), p.txMaxAgeSecs()));
    }
    if (params.deauthThreshold() > guardians.size()) {
      throw WireException.malformed("field 'deauth_threshold' (" + params.deauthThreshold()
          + ") exceeds the number of guardians (" + guardians.size() + ")");
    }
    return new GenesisSpec(params, ts, guardians, nodes);
  }

  private static String key(StrictJson o, String field) throws WireException {
    String name = field.substring(field.lastIndexOf('.') + 1);
    if (!o.has(name) || !o.get(name).isTextual() || !WireRules.isPublicKeyHex(o.get(name).textValue())) {
      throw WireException.malformed("field '" + field + "' must be 64 lowercase hex characters");
    }
    if (o.get(name).textValue().equals(Transaction.SYSTEM_SENDER)) {
      throw WireException.malformed("field '" + field + "' cannot be the all-zero system key");
    }
    return o.get(name).textValue();
  }
}
