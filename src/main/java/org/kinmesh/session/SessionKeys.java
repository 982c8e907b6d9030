package org.kinmesh.session;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Supplier;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.noise.HandshakeState;
import org.kinmesh.crypto.noise.KeyPair25519;
import org.kinmesh.crypto.noise.NoiseHash;
import org.kinmesh.crypto.noise.StaticStaticDh;

/**
 * What one node brings to every session handshake: its static X25519 key (derived from its
 * Ed25519 identity), its chain, the authorized set, the responder's replay memory, the
 * initiation clock, the hash and the rekey policy, the refusal counters, and the per-member
 * static-static DH cache.
 */
public record SessionKeys(KeyPair25519 staticKey, String identity, ChainBinding chain, Members members,
    InitiationReplayGuard replayGuard, HandshakeTimestamps timestamps, Supplier<KeyPair25519> ephemerals,
    NoiseHash hash, RekeyPolicy policy, ReasonCounts<HandshakeRefusal> refusals, ReasonCounts<DropReason> drops,
    StaticStaticDh staticStatic) {

  public SessionKeys(KeyPair25519 staticKey, String identity, ChainBinding chain, Members members,
      InitiationReplayGuard replayGuard, HandshakeTimestamps timestamps, Supplier<KeyPair25519> ephemerals,
      NoiseHash hash, RekeyPolicy policy, ReasonCounts<HandshakeRefusal> refusals, ReasonCounts<DropReason> drops) {
    this(staticKey, identity, chain, members, replayGuard, timestamps, ephemerals, hash, policy, refusals, drops,
        new StaticStaticCache(staticKey, members));
  }

  /** The defaults: SHA256, WireGuard's rekey limits, fresh ephemerals from a SecureRandom. */
  public static SessionKeys of(Identity identity, ChainBinding chain, Members members,
      java.util.function.LongSupplier wallClockMillis) {
    byte[] priv = identity.x25519PrivateKey();
    KeyPair25519 s = KeyPair25519.fromPrivate(priv);
    Arrays.fill(priv, (byte) 0);
    return new SessionKeys(s, identity.publicKeyHex(), chain, members, new InitiationReplayGuard(),
        new HandshakeTimestamps(wallClockMillis), HandshakeState.randomEphemerals(new SecureRandom()),
        NoiseHash.SHA256, RekeyPolicy.DEFAULT, new ReasonCounts<>(HandshakeRefusal.class),
        new ReasonCounts<>(DropReason.class));
  }

  /** The same node with another authorized set (a membership change). */
  public SessionKeys withMembers(Members newMembers) {
    return new SessionKeys(staticKey, identity, chain, newMembers, replayGuard, timestamps, ephemerals, hash,
        policy, refusals, drops); // and a new static-static cache: removed members' entries go
  }
}
