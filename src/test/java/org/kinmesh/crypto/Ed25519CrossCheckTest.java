package org.kinmesh.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.subtle.Ed25519Verify;
import java.security.GeneralSecurityException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link Ed25519#verify} uses Bouncy Castle; keys and signatures come from Tink. The two must agree
 * on everything our own keys sign, and the verifier must never accept what Tink (the reference the
 * protocol names) refuses: otherwise nodes on different releases could split on a crafted signature.
 */
class Ed25519CrossCheckTest {

  @Property(tries = 300)
  void agreesWithTinkOnGoodAndTamperedSignatures(
      @ForAll @Size(32) byte[] seed,
      @ForAll @Size(max = 300) byte[] message,
      @ForAll("tamper") int tamper,
      @ForAll @IntRange(min = 0, max = 511) int bit) {
    Identity id = Identity.fromSeed(seed);
    byte[] pub = Hex.decode(id.publicKeyHex());
    byte[] sig = Hex.decode(id.sign(message));
    byte[] msg = message.clone();
    switch (tamper) {
      case 1 -> sig[bit / 8] ^= (byte) (1 << (bit % 8));
      case 2 -> pub[(bit / 8) % 32] ^= (byte) (1 << (bit % 8));
      case 3 -> msg = append(msg, (byte) bit);
      default -> { }
    }
    boolean ours = Ed25519.verify(pub, sig, msg);
    boolean tink = tinkVerify(pub, sig, Ed25519.sha256(msg));
    if (tamper == 0) {
      assertThat(ours).as("an untouched signature verifies").isTrue();
    }
    assertThat(ours).as("never accepts what Tink refuses").isEqualTo(ours && tink);
    if (tamper == 1 || tamper == 3) {
      // A flipped signature bit or a changed message: both must refuse.
      assertThat(ours).isFalse();
    }
  }

  @Provide
  Arbitrary<Integer> tamper() {
    return Arbitraries.integers().between(0, 3);
  }

  @Test
  void refusesTheSmallOrderKeyThatTinkAccepts() {
    // Public key = the identity point, R = identity, S = 0: sB - hA = O = R holds for every message,
    // so a cofactorless check that does not reject small-order keys accepts it. Ours refuses.
    byte[] identityPoint = new byte[32];
    identityPoint[0] = 1;
    byte[] sig = new byte[64];
    sig[0] = 1;
    byte[] msg = "any message at all".getBytes();
    assertThat(tinkVerify(identityPoint, sig, Ed25519.sha256(msg))).isTrue();
    assertThat(Ed25519.verify(identityPoint, sig, msg)).isFalse();
  }

  @Test
  void refusesANonCanonicalScalar() {
    Identity id = Identity.fromSeed(new byte[32]);
    byte[] msg = "m".getBytes();
    byte[] sig = Hex.decode(id.sign(msg));
    // S + L (the group order) encodes the same scalar mod L; RFC 8032 requires S < L.
    byte[] order = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    int carry = 0;
    for (int i = 0; i < 32; i++) {
      int v = (sig[32 + i] & 0xff) + (order[i] & 0xff) + carry;
      sig[32 + i] = (byte) v;
      carry = v >> 8;
    }
    assertThat(Ed25519.verify(Hex.decode(id.publicKeyHex()), sig, msg)).isFalse();
    assertThat(tinkVerify(Hex.decode(id.publicKeyHex()), sig, Ed25519.sha256(msg))).isFalse();
  }

  @Test
  void refusesWrongLengthsWithoutThrowing() {
    assertThat(Ed25519.verify(new byte[31], new byte[64], new byte[0])).isFalse();
    assertThat(Ed25519.verify(new byte[32], new byte[63], new byte[0])).isFalse();
    assertThat(Ed25519.verify("zz", "00", new byte[0])).isFalse();
  }

  private static boolean tinkVerify(byte[] pub, byte[] sig, byte[] digest) {
    try {
      new Ed25519Verify(pub).verify(sig, digest);
      return true;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] append(byte[] a, byte b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
