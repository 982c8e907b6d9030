package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.crypto.Identity;

/** A deterministic test chain: fixed keys, block time moved by hand, nonces tracked per sender. */
final class TestChain {
  static final String CHAIN = "family-test";
  static final Identity MOM = key(1);
  static final Identity DAD = key(2);
  static final Identity GRANDMA = key(3);
  static final Identity N1 = key(11);
  static final Identity N2 = key(12);
  static final Identity N3 = key(13);
  static final Identity N4 = key(14);
  static final Identity KID = key(21);
  static final Identity STRANGER = key(31);
  static final long T0 = 1_700_000_000L;

  final List<Block> blocks = new ArrayList<>();
  final List<AuditEntry> audit = new ArrayList<>();
  private final Map<String, Long> nonces = new HashMap<>();
  GovernanceState state;
  long time;

  static Identity key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[31] = 7;
    return Identity.fromSeed(seed);
  }

  /** Two parents (2-of-2), three consensus nodes. */
  static TestChain standard() {
    return create(2, 0, 30, List.of(MOM, DAD), List.of(N1, N2, N3));
  }

  static TestChain create(int threshold, long timelockHours, long inactivityDays, List<Identity> guardians,
      List<Identity> nodes) {
    List<GenesisSpec.Guardian> gs = new ArrayList<>();
    for (int i = 0; i < guardians.size(); i++) {
      gs.add(new GenesisSpec.Guardian(guardians.get(i).publicKeyHex(), "guardian " + i));
    }
    List<GenesisSpec.ConsensusNode> ns = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      ns.add(new GenesisSpec.ConsensusNode(nodes.get(i).publicKeyHex(), i + 1));
    }
    ChainParams params = new ChainParams(CHAIN, threshold, timelockHours, inactivityDays, 72, 86_400);
    try {
      Block g = Genesis.build(new GenesisSpec(params, T0, gs, ns));
      TestChain c = new TestChain();
      Ledger.Applied a = Ledger.genesis(g);
      c.blocks.add(g);
      c.audit.addAll(a.audit());
      c.state = a.state();
      c.time = T0;
      return c;
    } catch (InvalidBlockException e) {
      throw new IllegalStateException(e);
    }
  }

  long nextNonce(Identity id) {
    return nonces.getOrDefault(id.publicKeyHex(), 0L) + 1;
  }

  /** A signed transaction dated at the current chain time, with the sender's next nonce. */
  Transaction tx(Identity sender, Payload p) {
    return txAt(sender, p, time);
  }

  Transaction txAt(Identity sender, Payload p, long timestamp) {
    long n = nextNonce(sender);
    nonces.put(sender.publicKeyHex(), n);
    return Transaction.sign(sender, CHAIN, n, timestamp, p);
  }

  /** Validates as the next block at the current time would. */
  ValidationResult check(Transaction tx) {
    return TxValidator.validateForNext(state, tx, time);
  }

  /** Builds the next block after advancing the clock; fails the test if rejected. */
  Ledger.Applied commit(long advanceSecs, Transaction... txs) {
    try {
      return tryCommit(advanceSecs, N1, txs);
    } catch (InvalidBlockException e) {
      throw new AssertionError("block rejected: " + e.getMessage(), e);
    }
  }

  Ledger.Applied tryCommit(long advanceSecs, Identity proposer, Transaction... txs) throws InvalidBlockException {
    return tryCommit(advanceSecs, proposer, List.of(), txs);
  }

  Ledger.Applied tryCommit(long advanceSecs, Identity proposer, List<String> signers, Transaction... txs)
      throws InvalidBlockException {
    long t = time + advanceSecs;
    Block b = Block.of(CHAIN, state.height() + 1, state.headHash(), t, proposer.publicKeyHex(), signers, List.of(txs));
    Ledger.Applied a = Ledger.apply(state, b);
    time = t;
    state = a.state();
    blocks.add(b);
    audit.addAll(a.audit());
    return a;
  }

  NodeStatus status(Identity node) {
    return state.nodes().get(node.publicKeyHex()).status();
  }
}
