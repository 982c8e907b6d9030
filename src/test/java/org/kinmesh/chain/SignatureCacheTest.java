package org.kinmesh.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignatureCacheTest {
  static Transaction data(String hex, long nonce) {
    return Transaction.sign(TestChain.N1, TestChain.CHAIN, nonce, TestChain.T0, new Payload.Data(hex));
  }

  /** The same transaction (same hash) with another signature: the sender's, over another message. */
  static Transaction withSignatureOf(Transaction tx, Transaction other) {
    return new Transaction(tx.blockchainId(), tx.sender(), tx.nonce(), tx.timestamp(), tx.payload(), other.signature(),
        null);
  }

  @Test
  void aVerifiedTransactionIsNotVerifiedAgain() {
    SignatureCache cache = new SignatureCache(16);
    Transaction tx = data("ab", 1);
    assertThat(cache.valid(tx)).isTrue();
    assertThat(cache.valid(tx)).isTrue();
    // the same transaction parsed again (another object) is found too
    assertThat(cache.valid(Transaction.sign(TestChain.N1, TestChain.CHAIN, 1, TestChain.T0, new Payload.Data("ab"))))
        .isTrue();
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(2);
  }

  @Test
  void aForgedSignatureIsRefusedEvenWhenTheGenuineTransactionIsCached() {
    SignatureCache cache = new SignatureCache(16);
    Transaction genuine = data("ab", 1);
    Transaction forged = withSignatureOf(genuine, data("cd", 2));
    assertThat(forged.hash()).isEqualTo(genuine.hash());
    assertThat(cache.valid(genuine)).isTrue();
    assertThat(cache.valid(forged)).isFalse();
    assertThat(cache.valid(forged)).isFalse(); // never remembered: checked again, refused again
    assertThat(cache.size()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(3);
  }

  @Test
  void aFailedVerificationIsNeverCachedAndSystemTransactionsNeverPass() {
    SignatureCache cache = new SignatureCache(16);
    Transaction forged = withSignatureOf(data("ab", 1), data("cd", 2));
    assertThat(cache.valid(forged)).isFalse();
    assertThat(cache.size()).isZero();
    Transaction system = Transaction.system(TestChain.CHAIN, 1, TestChain.T0, new Payload.Data("ab"));
    assertThat(cache.valid(system)).isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void boundedLeastRecentlyUsedFirst() {
    SignatureCache cache = new SignatureCache(2);
    Transaction a = data("01", 1);
    Transaction b = data("02", 2);
    Transaction c = data("03", 3);
    cache.valid(a);
    cache.valid(b);
    cache.valid(a); // a is recent, b is the eldest
    cache.valid(c);
    assertThat(cache.size()).isEqualTo(2);
    long misses = cache.misses();
    cache.valid(a);
    assertThat(cache.misses()).isEqualTo(misses);
    cache.valid(b);
    assertThat(cache.misses()).isEqualTo(misses + 1);
    assertThatThrownBy(() -> new SignatureCache(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void validationThroughTheCacheGivesTheSameAnswers() {
    TestChain c = TestChain.standard();
    SignatureCache cache = new SignatureCache(16);
    Transaction ok = c.tx(TestChain.N1, new Payload.Data("ab"));
    Transaction bad = withSignatureOf(c.tx(TestChain.N1, new Payload.Data("cd")), ok);
    assertThat(TxValidator.validateForNext(c.state, ok, c.time, cache))
        .isEqualTo(TxValidator.validateForNext(c.state, ok, c.time));
    assertThat(TxValidator.validateForNext(c.state, bad, c.time, cache).code())
        .isEqualTo(ValidationResult.Code.INVALID_SIGNATURE);
  }
}
