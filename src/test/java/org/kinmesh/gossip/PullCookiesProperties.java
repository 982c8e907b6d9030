package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * The return-routability cookie (issue 13.6) on its own: a cookie is good for its own address
 * only, for at least one rotation period and never for two; a spoofed address is never
 * admitted without one; a proven address stays verified for a while, in a bounded table.
 */
class PullCookiesProperties {
  static final long R = PullCookies.ROTATE_MS;

  static Supplier<byte[]> secrets(long seed) {
    Random random = new Random(seed);
    return () -> {
      byte[] s = new byte[PullCookies.SECRET_BYTES];
      random.nextBytes(s);
      return s;
    };
  }

  @Provide
  Arbitrary<Endpoint> endpoints() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 255).map(i -> new Endpoint("192.0.2." + i, 7070)),
        Arbitraries.integers().between(1, 65535).map(p -> new Endpoint("198.51.100.7", p)),
        Arbitraries.integers().between(1, 255).map(i -> new Endpoint("2001:db8::" + Integer.toHexString(i), 7070)));
  }

  /**
   * Issued at any point of a rotation period, checked after any sequence of clock steps (with
   * other addresses asking in between, which rotates the secret at other moments): still good
   * under one period, never good from two periods on, never good for another address.
   */
  @Property(tries = 300)
  void aCookieLivesOneToTwoPeriodsForItsOwnAddressOnly(@ForAll("endpoints") Endpoint a,
      @ForAll("endpoints") Endpoint b, @ForAll @LongRange(max = 2 * 120_000) long startOffset,
      @ForAll("steps") List<Long> steps, @ForAll long seed) {
    ManualTimeSource clock = new ManualTimeSource(1_000_000);
    PullCookies cookies = new PullCookies(clock, secrets(seed));
    clock.setMillis(1_000_000 + startOffset);
    String c = cookies.issue(a);
    long issuedAt = clock.nowMillis();
    for (long step : steps) {
      clock.setMillis(clock.nowMillis() + step);
      cookies.issue(b); // another source asks in between
      long age = clock.nowMillis() - issuedAt;
      boolean valid = cookies.valid(a, c);
      if (age < R) {
        assertThat(valid).as("age %d ms", age).isTrue();
      }
      if (age >= 2 * R) {
        assertThat(valid).as("age %d ms", age).isFalse();
      }
      if (!a.equals(b)) {
        assertThat(cookies.valid(b, c)).isFalse();
      }
    }
  }

  @Provide
  Arbitrary<List<Long>> steps() {
    return Arbitraries.longs().between(0, 3 * R).list().ofMinSize(1).ofMaxSize(12);
  }

  /** Without a valid cookie an address is never admitted, whatever it sends and however often. */
  @Property(tries = 200)
  void aSpoofedAddressIsNeverAdmitted(@ForAll("endpoints") Endpoint victim, @ForAll("guesses") List<String> guesses,
      @ForAll long seed) {
    ManualTimeSource clock = new ManualTimeSource(5_000_000);
    PullCookies cookies = new PullCookies(clock, secrets(seed));
    assertThat(cookies.admit(victim, null)).isFalse();
    for (String g : guesses) {
      clock.advanceSeconds(7);
      assertThat(cookies.admit(victim, g)).isFalse();
    }
    assertThat(cookies.verifiedCount()).isZero();
  }

  @Provide
  Arbitrary<List<String>> guesses() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789abcdef").ofLength(32),
        Arbitraries.strings().ofMaxLength(40)).list().ofMaxSize(20);
  }

  /** A proven address stays verified without a cookie for VERIFIED_MS after its last valid echo, then not. */
  @Property(tries = 100)
  void aProvenAddressStaysVerifiedForAWhile(@ForAll("endpoints") Endpoint a,
      @ForAll @IntRange(min = 0, max = 599) int secondsLater, @ForAll long seed) {
    ManualTimeSource clock = new ManualTimeSource(5_000_000);
    PullCookies cookies = new PullCookies(clock, secrets(seed));
    assertThat(cookies.admit(a, cookies.issue(a))).isTrue();
    clock.advanceSeconds(secondsLater);
    assertThat(cookies.admit(a, null)).isTrue();
    clock.setMillis(5_000_000 + PullCookies.VERIFIED_MS);
    assertThat(cookies.admit(a, null)).isFalse();
  }

  @Example
  void theVerifiedTableIsBounded() {
    ManualTimeSource clock = new ManualTimeSource(5_000_000);
    PullCookies cookies = new PullCookies(clock, secrets(1));
    for (int i = 0; i < PullCookies.MAX_VERIFIED + 100; i++) {
      Endpoint e = new Endpoint("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 7070);
      assertThat(cookies.admit(e, cookies.issue(e))).isTrue();
    }
    assertThat(cookies.verifiedCount()).isEqualTo(PullCookies.MAX_VERIFIED);
    // The least recently proven went first.
    assertThat(cookies.admit(new Endpoint("10.0.0.0", 7070), null)).isFalse();
  }

  @Example
  void aClockSteppingBackForgetsBothSecrets() {
    ManualTimeSource clock = new ManualTimeSource(5_000_000);
    PullCookies cookies = new PullCookies(clock, secrets(2));
    Endpoint a = new Endpoint("192.0.2.1", 1);
    String c = cookies.issue(a);
    clock.setMillis(4_000_000);
    assertThat(cookies.valid(a, c)).isFalse();
  }
}
