package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Ed25519ToX25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.noise.KeyPair25519;

class StaticStaticCacheTest {
  private final SessionFixture f = new SessionFixture();

  @Test
  void givesTheSameDhAsComputingItAndKeepsOnlyMembers() throws Exception {
    KeyPair25519 alice = KeyPair25519.fromPrivate(f.alice.x25519PrivateKey());
    KeyPair25519 bob = KeyPair25519.fromPrivate(f.bob.x25519PrivateKey());
    StaticStaticCache cache = new StaticStaticCache(alice, f.members);
    byte[] bobPublic = Ed25519ToX25519.publicKey(Hex.decode(f.bob.publicKeyHex()));
    byte[] expected = bob.dh(alice.publicKey()); // computed from the other side
    assertThat(cache.dh(bobPublic)).isEqualTo(expected);
    assertThat(cache.dh(bobPublic)).isEqualTo(expected); // cached
    assertThat(cache.size()).isEqualTo(1);

    KeyPair25519 stranger = KeyPair25519.generate(new SecureRandom());
    assertThat(cache.dh(stranger.publicKey())).isEqualTo(stranger.dh(alice.publicKey()));
    assertThat(cache.size()).isEqualTo(1);
  }
}
