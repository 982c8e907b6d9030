package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.crypto.Identity;

/**
 * The mempool rule against any interleaving: two senders number their transactions 1, 2, 3, ...
 * and submit each to a random node of four; every forward to every other node arrives after a
 * random delay (shorter than {@link Mempool#GAP_HOLD_MS}, in any order); random nodes propose from
 * their own mempools at random moments and every node applies each commit. No accepted transaction
 * is ever rejected, and at the end all of them are committed.
 */
class MempoolProperties {
  private static final int NODES = 4;
  private static final List<Identity> SENDERS = List.of(TestChain.N1, TestChain.KID);

  private record Delivery(long atMs, int node, Transaction tx) {}

  @Property(tries = 60)
  void reorderedAndDelayedForwardsNeverCostAnAcceptedTransaction(@ForAll long seed,
      @ForAll @IntRange(min = 2, max = 24) int count) {
    Random rnd = new Random(seed);
    TestChain c = TestChain.create(1, 0, 0, List.of(TestChain.MOM), List.of(TestChain.N1, TestChain.N2));
    c.commit(1, c.tx(TestChain.MOM, new Payload.FamilyMemberAdd(TestChain.KID.publicKeyHex(), "kid",
        Role.MEMBER)));
    List<Mempool> pools = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      pools.add(new Mempool(1_000, 1 << 20));
    }
    PriorityQueue<Delivery> inFlight = new PriorityQueue<>(Comparator.comparingLong(Delivery::atMs));
    Set<String> accepted = new HashSet<>();
    Set<String> committed = new HashSet<>();
    List<String> rejected = new ArrayList<>();
    long[] nonces = new long[SENDERS.size()];
    long now = 0;
    int sent = 0;
    for (int step = 0; sent < count || !inFlight.isEmpty() || pools.stream().anyMatch(p -> p.size() > 0); step++) {
      assertThat(step).as("steps (a transaction stuck for good)").isLessThan(100_000);
      now += rnd.nextInt(1_500);
      while (!inFlight.isEmpty() && inFlight.peek().atMs() <= now) {
        Delivery d = inFlight.poll();
        // A forward passes the receiver's intake as a submission does; a stale one is refused there.
        if (TxValidator.validateForNext(c.state, d.tx(), c.time).accepted()) {
          pools.get(d.node()).add(d.tx(), d.atMs());
        }
      }
      int action = rnd.nextInt(3);
      if (action == 0 && sent < count) {
        int s = rnd.nextInt(SENDERS.size());
        Transaction tx = Transaction.sign(SENDERS.get(s), TestChain.CHAIN, ++nonces[s], TestChain.T0,
            new Payload.Data(String.format("%04x", sent)));
        sent++;
        int at = rnd.nextInt(NODES);
        // Accepted where it was submitted: valid against that node's state, as intake checks.
        assertThat(TxValidator.validateForNext(c.state, tx, c.time).accepted()).isTrue();
        assertThat(pools.get(at).add(tx, now)).isEqualTo(Mempool.AddResult.ADDED);
        accepted.add(tx.hash());
        for (int j = 0; j < NODES; j++) {
          if (j != at) {
            inFlight.add(new Delivery(now + rnd.nextLong(Mempool.GAP_HOLD_MS - 1), j, tx));
          }
        }
      } else {
        Mempool proposer = pools.get(rnd.nextInt(NODES));
        List<Transaction> txs = Ledger.select(c.state, c.time + 1, TestChain.N1.publicKeyHex(), List.of(),
            proposer.proposable(c.state, now, 1_000, 1 << 20), SignatureCheck.ALWAYS);
        if (txs.isEmpty() && sent == count && inFlight.isEmpty()) {
          // Only held transactions remain anywhere: time passes until a hold ends.
          now += Mempool.GAP_HOLD_MS;
          continue;
        }
        if (txs.isEmpty()) {
          continue;
        }
        c.commit(1, txs.toArray(Transaction[]::new));
        Block b = c.blocks.get(c.blocks.size() - 1);
        txs.forEach(tx -> committed.add(tx.hash()));
        for (Mempool p : pools) {
          p.onCommitted(b, c.state).forEach(r -> rejected.add(r.reason()));
        }
      }
    }
    assertThat(rejected).isEmpty();
    assertThat(committed).isEqualTo(accepted);
  }
}
