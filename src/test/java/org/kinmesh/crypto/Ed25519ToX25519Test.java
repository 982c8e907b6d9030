package org.kinmesh.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

class Ed25519ToX25519Test {

  /** libsodium's test/default/ed25519_convert.c and its .exp: the same seed, the same keys. */
  @Test
  void matchesLibsodiumsConversionVector() {
    Identity id = Identity.fromSeed(Hex.decode("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee"));
    assertThat(Hex.encode(Ed25519ToX25519.publicKey(Hex.decode(id.publicKeyHex()))))
        .isEqualTo("f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50");
    assertThat(Hex.encode(id.x25519PrivateKey()))
        .isEqualTo("8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166");
  }

  /** The two halves of the map agree: X25519(private, base) is the mapped public key. */
  @Property(tries = 50)
  void theMappedPrivateKeyMatchesTheMappedPublicKey(@ForAll @Size(32) byte[] seed) {
    Identity id = Identity.fromSeed(seed);
    byte[] fromPublic = Ed25519ToX25519.publicKey(Hex.decode(id.publicKeyHex()));
    byte[] fromPrivate = new byte[32];
    X25519.scalarMultBase(id.x25519PrivateKey(), 0, fromPrivate, 0);
    assertThat(fromPrivate).isEqualTo(fromPublic);
  }

  @Test
  void refusesASmallOrderKey() {
    byte[] identityPoint = new byte[32];
    identityPoint[0] = 1; // y = 1: the neutral element, order 1
    assertThatThrownBy(() -> Ed25519ToX25519.publicKey(identityPoint))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid Ed25519 public key");
    assertThatThrownBy(() -> Ed25519ToX25519.publicKey(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
