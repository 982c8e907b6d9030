package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.kinmesh.crypto.Identity;

/**
 * Random but valid governance-heavy chains from a seed: suspensions, removals, approvals,
 * registrations, members, data, and time jumps that trigger expiries and inactivity. Only
 * transactions the validator accepts go into blocks.
 */
final class BusyChain {
  private static final List<Identity> POOL = new ArrayList<>();

  static {
    for (int i = 0; i < 24; i++) {
      POOL.add(TestChain.key(100 + i));
    }
  }

  private BusyChain() {}

  static TestChain build(long seed, int blocks) {
    Random rnd = new Random(seed);
    boolean timelock = rnd.nextBoolean();
    TestChain c = TestChain.create(2, timelock ? 12 : 0, 2, List.of(TestChain.MOM, TestChain.DAD, TestChain.GRANDMA),
        List.of(TestChain.N1, TestChain.N2, TestChain.N3, TestChain.N4));
    List<Identity> nodes = new ArrayList<>(List.of(TestChain.N1, TestChain.N2, TestChain.N3, TestChain.N4));
    List<Identity> people = new ArrayList<>(List.of(TestChain.MOM, TestChain.DAD, TestChain.GRANDMA));
    for (int h = 0; h < blocks; h++) {
      long advance = switch (rnd.nextInt(6)) {
        case 0 -> 13 * 3600L;
        case 1 -> 2 * 86_400L + rnd.nextInt(3600);
        default -> 1 + rnd.nextInt(600);
      };
      List<NodeRecord> active = c.state.authorizedConsensusNodes();
      Identity proposer = byKey(nodes, active.get(rnd.nextInt(active.size())).pubkey());
      List<String> signers = c.state.authorizedConsensusNodes().stream().map(NodeRecord::pubkey)
          .filter(k -> rnd.nextInt(3) > 0).sorted().toList();
      List<String> credited = new ArrayList<>(signers);
      credited.add(proposer.publicKeyHex());
      List<Transaction> txs = new ArrayList<>();
      int n = rnd.nextInt(5);
      GovernanceState probe = Ledger.advance(c.state, c.time + advance, credited);
      for (int i = 0; i < n; i++) {
        Transaction tx = candidate(c, rnd, nodes, people, probe, c.time + advance);
        if (tx == null) {
          continue;
        }
        // Dated at the block's time, checked against the state that already holds the earlier picks.
        ValidationResult r = TxValidator.validate(probe, tx, c.time + advance);
        if (r.accepted()) {
          txs.add(tx);
          probe = stepPure(probe, tx, c.time + advance);
        }
      }
      try {
        c.tryCommit(advance, proposer, signers, txs.toArray(new Transaction[0]));
      } catch (InvalidBlockException e) {
        throw new AssertionError("generator built an invalid block at height " + (c.state.height() + 1) + ": "
            + e.getMessage(), e);
      }
    }
    return c;
  }

  /** Applies one accepted transaction to a probe state (same effects as in a block). */
  private static GovernanceState stepPure(GovernanceState s, Transaction tx, long t) {
    GovernanceState.Builder w = s.toBuilder();
    TxEffects.apply(w, s, tx, new AuditLog(s.height() + 1, t));
    return w.build();
  }

  private static Transaction candidate(TestChain c, Random rnd, List<Identity> nodes, List<Identity> people,
      GovernanceState s, long blockTime) {
    Identity guardian = pick(rnd, people.stream().filter(p -> s.isGuardian(p.publicKeyHex())).toList());
    Identity node = pick(rnd, nodes);
    if (guardian == null || node == null) {
      return null;
    }
    long t = blockTime;
    Payload p;
    switch (rnd.nextInt(10)) {
      case 0 -> p = new Payload.NodeDeauthorization(node.publicKeyHex(), Payload.DeauthMode.SUSPEND, "away",
          3600L * (1 + rnd.nextInt(40)));
      case 1 -> p = new Payload.NodeReactivation(node.publicKeyHex(), "back");
      case 2 -> p = new Payload.NodeDeauthorization(node.publicKeyHex(), Payload.DeauthMode.PERMANENT, "gone", 0);
      case 3 -> {
        List<String> open = new ArrayList<>(s.proposals().keySet());
        if (open.isEmpty()) {
          return null;
        }
        p = new Payload.Approval(open.get(rnd.nextInt(open.size())));
      }
      case 4 -> {
        Identity fresh = POOL.get(rnd.nextInt(POOL.size()));
        if (!nodes.contains(fresh)) {
          nodes.add(fresh);
        }
        if (rnd.nextInt(3) == 0) {
          // the node joins itself with the guardian's invite (sometimes a used one: then refused)
          String id = String.format("%032x", rnd.nextInt(16));
          org.kinmesh.invite.Invite inv = new org.kinmesh.invite.Invite(id, TestChain.CHAIN, s.genesisHash(),
              "https://relay.example.org", "https://node.example.org:8080", rnd.nextBoolean(), "", guardian.publicKeyHex(),
              t + 1 + rnd.nextInt(3600));
          return signAt(c, fresh, Payload.NodeJoin.of(org.kinmesh.invite.InviteCodec.encode(inv, guardian)), t);
        }
        p = new Payload.NodeRegistration(fresh.publicKeyHex(), rnd.nextInt(64), rnd.nextBoolean(), t);
      }
      case 5 -> {
        Identity fresh = POOL.get(rnd.nextInt(POOL.size()));
        if (!people.contains(fresh)) {
          people.add(fresh);
        }
        p = new Payload.FamilyMemberAdd(fresh.publicKeyHex(), "Cousin " + rnd.nextInt(9),
            rnd.nextInt(4) == 0 ? Role.GUARDIAN : Role.MEMBER);
      }
      case 6 -> {
        Identity who = pick(rnd, people);
        p = new Payload.FamilyMemberRemove(who.publicKeyHex(), "moved out");
      }
      default -> {
        Identity sender = rnd.nextBoolean() ? pick(rnd, people) : node;
        byte[] data = new byte[rnd.nextInt(200)];
        rnd.nextBytes(data);
        return signAt(c, sender, Payload.Data.of(data), t);
      }
    }
    return signAt(c, guardian, p, t);
  }

  private static Transaction signAt(TestChain c, Identity sender, Payload p, long t) {
    return c.txAt(sender, p, t);
  }

  private static Identity byKey(List<Identity> ids, String key) {
    return ids.stream().filter(i -> i.publicKeyHex().equals(key)).findFirst().orElseThrow();
  }

  private static <T> T pick(Random rnd, List<T> items) {
    return items.isEmpty() ? null : items.get(rnd.nextInt(items.size()));
  }
}
