package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.util.TokenBucket;
import org.kinmesh.wire.WireException;

/** The pure parts of a link: hello codec and checks, and the rate bucket. */
class HelloCheckTest {
  static final long NOW = 1_767_225_600L;
  /** Our genesis hash, and another genesis of the same chain id. */
  static final String G = "ab".repeat(32);
  static final String OTHER_GENESIS = "cd".repeat(32);
  final Identity acceptor = TestKeys.key(31);
  final Identity dialer = TestKeys.key(32);
  final Identity other = TestKeys.key(33);
  final String acceptorChallenge = Hello.newChallenge();
  final String dialerChallenge = Hello.newChallenge();
  final Set<String> authorized = LinkNode.keys(acceptor, dialer);

  /** What the acceptor checks a dialer's hello against. */
  HelloCheck atAcceptor(Set<String> keys) {
    return new HelloCheck("fam", G, acceptor.publicKeyHex(), Hello.DIAL, null, acceptor.publicKeyHex(), acceptorChallenge,
        NOW, 300, keys);
  }

  Hello fromDialer(Identity who, String chain, long ts, String challenge) {
    return Hello.sign(who, Hello.DIAL, chain, G, acceptor.publicKeyHex(), ts, dialerChallenge, challenge);
  }

  @Test
  void aGoodHelloPassesAndRoundTripsThroughJson() throws WireException {
    Hello h = fromDialer(dialer, "fam", NOW, acceptorChallenge);
    assertThat(Hello.parse(h.toJson().encode())).isEqualTo(h);
    assertThat(atAcceptor(authorized).check(h)).isEmpty();
  }

  @Test
  void eachRuleHasItsReason() {
    assertThat(atAcceptor(authorized).check(fromDialer(dialer, "other", NOW, acceptorChallenge)))
        .contains(Rejection.WRONG_BLOCKCHAIN);
    assertThat(atAcceptor(authorized).check(fromDialer(dialer, "fam", NOW - 301, acceptorChallenge)))
        .contains(Rejection.STALE);
    assertThat(atAcceptor(authorized).check(fromDialer(dialer, "fam", NOW + 301, acceptorChallenge)))
        .contains(Rejection.STALE);
    assertThat(atAcceptor(authorized).check(fromDialer(dialer, "fam", NOW, Hello.newChallenge())))
        .contains(Rejection.REPLAYED);
    assertThat(atAcceptor(authorized).check(fromDialer(other, "fam", NOW, acceptorChallenge)))
        .contains(Rejection.UNAUTHORIZED);
    assertThat(atAcceptor(authorized).check(fromDialer(acceptor, "fam", NOW, acceptorChallenge)))
        .contains(Rejection.SELF);
    Hello h = fromDialer(dialer, "fam", NOW, acceptorChallenge);
    Hello forged = new Hello(h.role(), h.blockchainId(), h.genesis(), other.publicKeyHex(), h.peer(), h.timestamp(), h.nonce(),
        h.challenge(), h.sig());
    assertThat(atAcceptor(LinkNode.keys(acceptor, dialer, other)).check(forged)).contains(Rejection.INVALID_SIGNATURE);
    Hello toSomeoneElse = Hello.sign(dialer, Hello.DIAL, "fam", G, other.publicKeyHex(), NOW, dialerChallenge,
        acceptorChallenge);
    assertThat(atAcceptor(authorized).check(toSomeoneElse)).contains(Rejection.WRONG_PEER);
    Hello reflected = Hello.sign(dialer, Hello.ACCEPT, "fam", G, "", NOW, dialerChallenge, acceptorChallenge);
    assertThat(atAcceptor(authorized).check(reflected)).contains(Rejection.MALFORMED);
  }

  @Test
  void anotherGenesisIsRefusedByNameOnlyOnceTheHelloIsSignedAndAuthorized() throws WireException {
    // Issue 12.5: one chain id, two genesis files, and the links came up anyway.
    Hello theirs = Hello.sign(dialer, Hello.DIAL, "fam", OTHER_GENESIS, acceptor.publicKeyHex(), NOW, dialerChallenge,
        acceptorChallenge);
    assertThat(Hello.parse(theirs.toJson().encode())).isEqualTo(theirs);
    assertThat(atAcceptor(authorized).check(theirs)).contains(Rejection.GENESIS_MISMATCH);
    // The genesis is signed: changing it breaks the signature rather than naming a mismatch.
    Hello edited = new Hello(theirs.role(), theirs.blockchainId(), G, theirs.pubkey(), theirs.peer(),
        theirs.timestamp(), theirs.nonce(), theirs.challenge(), theirs.sig());
    assertThat(atAcceptor(authorized).check(edited)).contains(Rejection.INVALID_SIGNATURE);
    // An unauthorized key is refused as that, whatever genesis it names.
    Hello stranger = Hello.sign(other, Hello.DIAL, "fam", OTHER_GENESIS, acceptor.publicKeyHex(), NOW,
        dialerChallenge, acceptorChallenge);
    assertThat(atAcceptor(authorized).check(stranger)).contains(Rejection.UNAUTHORIZED);
    // A hello without the genesis (an older kinmesh) is malformed, with a message that says so.
    assertThatThrownBy(() -> Hello.parse(theirs.toJson().copy().put("genesis", (String) null).encode()))
        .isInstanceOf(WireException.class);
    io.vertx.core.json.JsonObject old = theirs.toJson();
    old.remove("genesis");
    assertThatThrownBy(() -> Hello.parse(old.encode())).hasMessageContaining("genesis");
  }

  @Test
  void theDialerChecksItReachedTheKeyItDialed() {
    HelloCheck atDialer = new HelloCheck("fam", G, dialer.publicKeyHex(), Hello.ACCEPT, acceptor.publicKeyHex(), "",
        dialerChallenge, NOW, 300, authorized);
    Hello good = Hello.sign(acceptor, Hello.ACCEPT, "fam", G, "", NOW, acceptorChallenge, dialerChallenge);
    assertThat(atDialer.check(good)).isEmpty();
    Hello impostor = Hello.sign(other, Hello.ACCEPT, "fam", G, "", NOW, acceptorChallenge, dialerChallenge);
    assertThat(new HelloCheck("fam", G, dialer.publicKeyHex(), Hello.ACCEPT, acceptor.publicKeyHex(), "", dialerChallenge,
        NOW, 300, LinkNode.keys(acceptor, dialer, other)).check(impostor)).isEqualTo(Optional.of(Rejection.WRONG_PEER));
  }

  @Test
  void malformedHellosAreRefusedBeforeAnyCheck() {
    Hello h = fromDialer(dialer, "fam", NOW, acceptorChallenge);
    assertThatThrownBy(() -> Hello.parse(h.toJson().put("nonce", "ABCD").encode())).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Hello.parse(h.toJson().put("timestamp", -1).encode())).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Hello.parse(h.toJson().put("type", "data").encode())).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Hello.parse("{\"type\":\"hello\",\"type\":\"hello\"}")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Hello.parse("x".repeat(5_000))).isInstanceOf(WireException.class);
  }

  @Test
  void tokenBucketAllowsItsRateAndRefillsWithTime() {
    ManualTimeSource clock = new ManualTimeSource(0);
    TokenBucket bucket = new TokenBucket(100, 100, clock);
    int passed = 0;
    for (int i = 0; i < 150; i++) {
      passed += bucket.tryTake() ? 1 : 0;
    }
    assertThat(passed).isEqualTo(100);
    clock.setMillis(10);
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isFalse();
    clock.setMillis(60_000);
    passed = 0;
    for (int i = 0; i < 150; i++) {
      passed += bucket.tryTake() ? 1 : 0;
    }
    assertThat(passed).as("refill is capped at the burst").isEqualTo(100);
  }

  @Test
  void dataFramesAreBoundedBeforeParsing() throws WireException {
    assertThat(DataFrame.payload(DataFrame.encode("hi"), 65_536)).isEqualTo("hi");
    assertThat(DataFrame.fits(DataFrame.encode("é".repeat(30_000)), 65_536)).isTrue();
    assertThat(DataFrame.fits(DataFrame.encode("é".repeat(33_000)), 65_536)).as("counted in UTF-8 bytes").isFalse();
    assertThatThrownBy(() -> DataFrame.payload("{\"payload\":1}", 65_536)).isInstanceOf(WireException.class);
    assertThat(DataFrame.isReady(DataFrame.READY)).isTrue();
    assertThat(DataFrame.isReady("{\"payload\":\"ready\"}")).isFalse();
  }
}
