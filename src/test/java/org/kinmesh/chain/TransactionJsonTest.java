package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JSON a transaction keeps, and blocks built from it, are the bytes a fresh tree gives. */
class TransactionJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void keptJsonIsTheTreesAndCallersGetCopies() throws Exception {
    TestChain c = TestChain.standard();
    Transaction tx = c.tx(TestChain.N1, new Payload.Data("ab".repeat(256)));
    byte[] fresh = JSON.writeValueAsBytes(tx.toJson());
    assertThat(tx.toJsonBytes()).isEqualTo(fresh);
    assertThat(tx.jsonLength()).isEqualTo(fresh.length);
    assertThat(tx.toJsonString()).isEqualTo(new String(fresh, StandardCharsets.UTF_8));
    tx.toJsonBytes()[0] = 'x'; // a caller's copy: the kept bytes do not change
    assertThat(tx.toJsonBytes()).isEqualTo(fresh);
    assertThat(Transaction.parse(fresh)).isEqualTo(tx);
    assertThat(tx.canonicalMessage()).isNotSameAs(tx.canonicalMessage());
    assertThat(tx.signatureValid()).isTrue();
  }

  @Test
  void aBlocksBytesEmbedTheKeptTransactionJsonUnchanged() throws Exception {
    TestChain c = TestChain.standard();
    Block b = CompactBlockTest.blockWith(c, 3).withCommitCertificate("{\"view\":0,\"commits\":[]}");
    assertThat(b.toJsonBytes()).isEqualTo(JSON.writeValueAsBytes(b.toJson()));
    assertThat(JSON.readTree(b.toJsonBytes()).get("transactions").get(2).get("hash").asText())
        .isEqualTo(b.transactions().get(2).hash());
  }

  @Test
  void equalityIsByValue() {
    TestChain c = TestChain.standard();
    Transaction tx = c.tx(TestChain.N1, new Payload.Data("cd"));
    Transaction copy = new Transaction(tx.blockchainId(), tx.sender(), tx.nonce(), tx.timestamp(), tx.payload(),
        tx.signature(), null);
    assertThat(copy).isEqualTo(tx).hasSameHashCodeAs(tx);
    Transaction other = new Transaction(tx.blockchainId(), tx.sender(), tx.nonce() + 1, tx.timestamp(), tx.payload(),
        tx.signature(), null);
    assertThat(other).isNotEqualTo(tx);
    assertThat(other.signatureValid()).isFalse(); // the signature was over nonce, not nonce + 1
  }
}
