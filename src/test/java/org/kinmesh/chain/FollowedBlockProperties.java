package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.wire.WireException;

/**
 * The relay's replay of the followed form (DATA as hashes, docs/relay.md) gives the ledger's state at
 * every height, nonces aside (never above the ledger's), on random governance-heavy chains with
 * DATA, expiries, time-locks and inactivity; the form keeps the block hash and drops every payload.
 */
class FollowedBlockProperties {
  @Property(tries = 40)
  void theFollowedReplayDerivesTheLedgersStateAtEveryHeight(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 40) int blocks) throws Exception {
    TestChain c = BusyChain.build(seed, blocks);
    GovernanceState full = Ledger.genesis(c.blocks.get(0)).state();
    GovernanceState followed = Ledger.genesis(FollowedBlock.parse(FollowedBlock.of(c.blocks.get(0)).toJsonBytes())
        .genesisBlock()).state();
    for (Block b : c.blocks.subList(1, c.blocks.size())) {
      byte[] wire = FollowedBlock.of(b).toJsonBytes();
      FollowedBlock f = FollowedBlock.parse(wire);
      assertThat(f.hash()).isEqualTo(b.hash());
      for (Transaction tx : b.transactions()) {
        // A short payload's hex could occur in a key or hash by chance; an empty one is in every string.
        if (tx.payload() instanceof Payload.Data d && d.payloadHex().length() >= 16) {
          assertThat(new String(wire, StandardCharsets.UTF_8)).doesNotContain(d.payloadHex()).contains(tx.hash());
        }
      }
      full = Ledger.apply(full, b).state();
      followed = Ledger.applyFollowed(followed, f, SignatureCheck.ALWAYS).state();
      assertThat(followed.nodes()).isEqualTo(full.nodes());
      assertThat(followed.members()).isEqualTo(full.members());
      assertThat(followed.proposals()).isEqualTo(full.proposals());
      assertThat(followed.closed()).isEqualTo(full.closed());
      assertThat(followed.headHash()).isEqualTo(full.headHash());
      assertThat(followed.time()).isEqualTo(full.time());
      for (var e : followed.nonces().entrySet()) {
        assertThat(e.getValue()).isLessThanOrEqualTo(full.lastNonce(e.getKey()));
      }
    }
  }

  @Property(tries = 20)
  void aDataTransactionSentInFullIsReducedAtParseAndAChangedHashIsRefused(@ForAll long seed) throws Exception {
    TestChain c = BusyChain.build(seed, 12);
    for (Block b : c.blocks.subList(1, c.blocks.size())) {
      FollowedBlock fromFull = FollowedBlock.parse(b.toJsonBytes());
      assertThat(fromFull).isEqualTo(FollowedBlock.of(b));
      assertThat(fromFull.governance()).noneMatch(tx -> tx.type() == TxType.DATA);
      if (!b.transactions().isEmpty()) {
        String json = new String(fromFull.toJsonBytes(), StandardCharsets.UTF_8);
        String forged = json.replace("\"hash\":\"" + fromFull.txHashes().get(0) + "\"", "\"hash\":\"" + "f".repeat(64) + "\"");
        if (!forged.equals(json)) {
          assertThatThrownBy(() -> FollowedBlock.parse(forged.getBytes(StandardCharsets.UTF_8)))
              .isInstanceOf(WireException.class);
        }
      }
    }
  }
}
