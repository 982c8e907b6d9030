package org.kinmesh.crypto.noise;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import org.kinmesh.crypto.noise.HandshakePattern.Token;

/**
 * Noise HandshakeState (spec §5.3) for {@link HandshakePattern}s with X25519 and
 * ChaCha20-Poly1305. Pure: no I/O, no clock; randomness only through the ephemeral supplier.
 * A refused message leaves the state unusable (spec §5.3: the handshake is abandoned).
 */
public final class HandshakeState {
  public static final int MAX_MESSAGE = 65535;

  private final HandshakePattern pattern;
  private final boolean initiator;
  private final SymmetricState symmetric;
  private final KeyPair25519 s;
  private final Supplier<KeyPair25519> ephemerals;
  private final StaticStaticDh staticStatic;
  private KeyPair25519 e;
  private byte[] rs;
  private byte[] re;
  private int next;
  private boolean failed;

  private HandshakeState(HandshakePattern pattern, NoiseHash hash, boolean initiator, byte[] prologue,
      KeyPair25519 s, byte[] rs, Supplier<KeyPair25519> ephemerals, StaticStaticDh staticStatic) {
    if (s == null) {
      throw new IllegalArgumentException("every kinmesh pattern needs a local static key");
    }
    if (pattern.responderStaticKnown() && initiator && (rs == null || rs.length != KeyPair25519.KEY_BYTES)) {
      throw new IllegalArgumentException(pattern + " needs the responder's 32-byte static key");
    }
    this.pattern = pattern;
    this.initiator = initiator;
    this.s = s;
    this.rs = rs == null ? null : rs.clone();
    this.ephemerals = ephemerals;
    this.staticStatic = staticStatic == null ? s::dh : staticStatic;
    this.symmetric = new SymmetricState(hash, pattern.protocolName(hash));
    symmetric.mixHash(prologue);
    if (pattern.responderStaticKnown()) {
      symmetric.mixHash(initiator ? this.rs : s.publicKey());
    }
  }

  public static HandshakeState initiator(HandshakePattern pattern, NoiseHash hash, byte[] prologue,
      KeyPair25519 s, byte[] remoteStatic, Supplier<KeyPair25519> ephemerals) {
    return new HandshakeState(pattern, hash, true, prologue, s, remoteStatic, ephemerals, null);
  }

  public static HandshakeState responder(HandshakePattern pattern, NoiseHash hash, byte[] prologue,
      KeyPair25519 s, Supplier<KeyPair25519> ephemerals) {
    return new HandshakeState(pattern, hash, false, prologue, s, null, ephemerals, null);
  }

  /** As {@link #initiator}, with the ss DH taken from {@code staticStatic} (a per-peer cache). */
  public static HandshakeState initiator(HandshakePattern pattern, NoiseHash hash, byte[] prologue,
      KeyPair25519 s, byte[] remoteStatic, Supplier<KeyPair25519> ephemerals, StaticStaticDh staticStatic) {
    return new HandshakeState(pattern, hash, true, prologue, s, remoteStatic, ephemerals, staticStatic);
  }

  /** As {@link #responder}, with the ss DH taken from {@code staticStatic} (a per-peer cache). */
  public static HandshakeState responder(HandshakePattern pattern, NoiseHash hash, byte[] prologue,
      KeyPair25519 s, Supplier<KeyPair25519> ephemerals, StaticStaticDh staticStatic) {
    return new HandshakeState(pattern, hash, false, prologue, s, null, ephemerals, staticStatic);
  }

  /** Fresh ephemeral keys from a SecureRandom. */
  public static Supplier<KeyPair25519> randomEphemerals(SecureRandom random) {
    return () -> KeyPair25519.generate(random);
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** Whether it is this side's turn to write. */
  public boolean isMyTurn() {
    return !isComplete() && (next % 2 == 0) == initiator;
  }

  public boolean isComplete() {
    return next >= pattern.messageCount();
  }

  /** The index of the next message (0 for the first). */
  public int messageIndex() {
    return next;
  }

  /** The peer's static key, once received (or given); null before. */
  public byte[] remoteStatic() {
    return rs == null ? null : rs.clone();
  }

  public byte[] handshakeHash() {
    return symmetric.handshakeHash();
  }

  /** WriteMessage(payload) (spec §5.3): the bytes to send. */
  public byte[] writeMessage(byte[] payload) throws NoiseException {
    if (failed || !isMyTurn()) {
      throw new NoiseException(NoiseException.Reason.OUT_OF_TURN, "not this side's turn to write");
    }
    failed = true; // until the whole message has been written
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Token t : pattern.messages().get(next)) {
      switch (t) {
        case E -> {
          e = ephemerals.get();
          byte[] pub = e.publicKey();
          out.writeBytes(pub);
          symmetric.mixHash(pub);
        }
        case S -> out.writeBytes(symmetric.encryptAndHash(s.publicKey()));
        default -> symmetric.mixKey(dh(t));
      }
    }
    out.writeBytes(symmetric.encryptAndHash(payload));
    if (out.size() > MAX_MESSAGE) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "a handshake message over 65,535 bytes");
    }
    failed = false;
    next++;
    finishIfComplete();
    return out.toByteArray();
  }

  /** ReadMessage(message) (spec §5.3): the peer's payload. Any refusal abandons the handshake. */
  public byte[] readMessage(byte[] message) throws NoiseException {
    if (failed || isComplete() || isMyTurn()) {
      throw new NoiseException(NoiseException.Reason.OUT_OF_TURN, "not this side's turn to read");
    }
    failed = true; // until the whole message has been read
    if (message.length > MAX_MESSAGE) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "a handshake message over 65,535 bytes");
    }
    int pos = 0;
    try {
      for (Token t : pattern.messages().get(next)) {
        switch (t) {
          case E -> {
            re = take(message, pos, KeyPair25519.KEY_BYTES);
            pos += KeyPair25519.KEY_BYTES;
            symmetric.mixHash(re);
          }
          case S -> {
            int len = KeyPair25519.KEY_BYTES + (symmetric.hasKey() ? CipherState.TAG_BYTES : 0);
            rs = symmetric.decryptAndHash(take(message, pos, len));
            pos += len;
          }
          default -> symmetric.mixKey(dh(t));
        }
      }
      if (symmetric.hasKey() && message.length - pos < CipherState.TAG_BYTES) {
        throw new NoiseException(NoiseException.Reason.MALFORMED, "handshake message " + next
            + " is " + message.length + " bytes, too short for its payload tag");
      }
      byte[] payload = symmetric.decryptAndHash(Arrays.copyOfRange(message, pos, message.length));
      failed = false;
      next++;
      finishIfComplete();
      return payload;
    } catch (AEADBadTagException ex) {
      throw new NoiseException(NoiseException.Reason.DECRYPT_FAILED,
          "handshake message " + next + " did not authenticate");
    }
  }

  /**
   * Split() once complete: [0] sends, [1] receives, from this side's point of view. Call once.
   */
  public CipherState[] split() {
    if (!isComplete() || failed) {
      throw new IllegalStateException("the handshake is not complete");
    }
    CipherState[] c = symmetric.split();
    return initiator ? c : new CipherState[] {c[1], c[0]};
  }

  private byte[] dh(Token t) throws NoiseException {
    return switch (t) {
      case EE -> e.dh(re);
      case SS -> staticStatic.dh(rs);
      // es: initiator's e with responder's s; se: initiator's s with responder's e.
      case ES -> initiator ? e.dh(rs) : s.dh(re);
      case SE -> initiator ? s.dh(re) : e.dh(rs);
      default -> throw new IllegalStateException("not a DH token: " + t);
    };
  }

  private void finishIfComplete() {
    if (isComplete() && e != null) {
      e.destroy();
    }
  }

  private byte[] take(byte[] message, int pos, int len) throws NoiseException {
    if (message.length - pos < len) {
      throw new NoiseException(NoiseException.Reason.MALFORMED, "handshake message " + next + " is "
          + message.length + " bytes, too short for the " + pattern + " pattern");
    }
    return Arrays.copyOfRange(message, pos, pos + len);
  }
}
