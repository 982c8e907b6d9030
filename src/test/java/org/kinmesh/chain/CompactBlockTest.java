package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.kinmesh.wire.WireException;

class CompactBlockTest {
  static Block blockWith(TestChain c, int n) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      txs.add(c.tx(TestChain.N1, new Payload.Data("ab".repeat(256))));
    }
    return Block.of(TestChain.CHAIN, 1, c.state.headHash(), c.time + 5, TestChain.N1.publicKeyHex(), List.of(), txs);
  }

  static Function<String, Transaction> index(Block b) {
    Map<String, Transaction> m = b.transactions().stream().collect(Collectors.toMap(Transaction::hash, t -> t));
    return m::get;
  }

  @Test
  void hasTheFullBlocksHashAndResolvesBackToIt() throws Exception {
    TestChain c = TestChain.standard();
    Block full = blockWith(c, 3);
    CompactBlock cb = CompactBlock.of(full);
    assertThat(cb.hash()).isEqualTo(full.hash());
    CompactBlock parsed = CompactBlock.parse(cb.toJsonBytes());
    assertThat(parsed).isEqualTo(cb);
    CompactBlock.Resolved r = parsed.resolve(index(full));
    assertThat(r.complete()).isTrue();
    assertThat(r.block()).isEqualTo(full);
    Ledger.apply(c.state, r.block()); // the resolved block is the one the ledger accepts
  }

  @Test
  void namesWhatItMisses() {
    TestChain c = TestChain.standard();
    Block full = blockWith(c, 3);
    String gone = full.transactions().get(1).hash();
    CompactBlock.Resolved r = CompactBlock.of(full).resolve(h -> h.equals(gone) ? null : index(full).apply(h));
    assertThat(r.complete()).isFalse();
    assertThat(r.missing()).containsExactly(gone);
    // a lookup that answers another transaction under a hash is a miss, not a substitution
    Transaction other = c.tx(TestChain.N2, new Payload.Data("cd"));
    assertThat(CompactBlock.of(full).resolve(h -> other).missing()).hasSize(3);
  }

  @Test
  void fourHundredTransactionsFitAnEnvelopeComfortably() {
    TestChain c = TestChain.standard();
    CompactBlock cb = CompactBlock.of(blockWith(c, CompactBlock.MAX_TXS_IN_ENVELOPE));
    int json = cb.toJsonBytes().length;
    int base64 = (json + 2) / 3 * 4;
    assertThat(base64).isLessThan(40_000); // a re-proposal inside NEW-VIEW still fits 64 KiB
  }

  @Test
  void badInputIsRefusedWithAReason() {
    TestChain c = TestChain.standard();
    Block full = blockWith(c, 2);
    String json = new String(CompactBlock.of(full).toJsonBytes(), StandardCharsets.UTF_8);
    String h0 = full.transactions().get(0).hash();
    String h1 = full.transactions().get(1).hash();
    assertMalformed(json.replace(h1, h0), "twice");
    assertMalformed(json.replace("\"height\":1", "\"height\":2"), "hash");
    assertMalformed(json.replace("\"height\":1", "\"height\":0"), "genesis");
    assertMalformed(json.replace(h0, "zz" + h0.substring(2)), "SHA-256");
    assertMalformed("{\"blockchain_id\":", "");
    assertMalformed(json.replace("\"tx_hashes\"", "\"tx_hashes\":[],\"tx_hashes\""), "");
    byte[] huge = ("{\"x\":\"" + "a".repeat(CompactBlock.MAX_JSON_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> CompactBlock.parse(huge)).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> CompactBlock.of(c.blocks.get(0))).isInstanceOf(IllegalArgumentException.class);
  }

  static void assertMalformed(String json, String why) {
    assertThatThrownBy(() -> CompactBlock.parse(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireException.class).hasMessageContaining(why);
  }
}
