package org.kinmesh.session;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.kinmesh.crypto.noise.CipherState;

/**
 * An established session's frames: {@code counter(8, big-endian) | ChaCha20-Poly1305(payload)},
 * the counter being the AEAD nonce, so frames may arrive reordered or lost (UDP) and are checked
 * against a {@link ReplayWindow}. A frame that fails any check is dropped and counted by
 * {@link DropReason}; it changes nothing else. Not thread-safe: one owner thread.
 */
public final class TransportSession {
  public static final int HEADER_BYTES = 8;
  public static final int OVERHEAD = HEADER_BYTES + CipherState.TAG_BYTES;
  private static final byte[] NO_AD = new byte[0];

  private final CipherState send;
  private final CipherState receive;
  private final boolean initiator;
  private final String peerIdentity;
  private final byte[] handshakeHash;
  private final long createdAtMillis;
  private final RekeyPolicy policy;
  private final ReasonCounts<DropReason> drops;
  private final ReplayWindow window = new ReplayWindow();
  private long sent;
  private boolean closed;

  TransportSession(CipherState send, CipherState receive, boolean initiator, String peerIdentity,
      byte[] handshakeHash, long createdAtMillis, RekeyPolicy policy, ReasonCounts<DropReason> drops) {
    this.send = send;
    this.receive = receive;
    this.initiator = initiator;
    this.peerIdentity = peerIdentity;
    this.handshakeHash = handshakeHash.clone();
    this.createdAtMillis = createdAtMillis;
    this.policy = policy;
    this.drops = drops;
  }

  /** The peer's Ed25519 identity (lowercase hex), proven by the handshake. */
  public String peerIdentity() {
    return peerIdentity;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** The Noise handshake hash: a unique id of this session, the same on both sides. */
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  public long framesSent() {
    return sent;
  }

  public RekeyPolicy.Decision rekeyDecision(long nowMillis) {
    return closed ? RekeyPolicy.Decision.EXPIRED : policy.decide(initiator, nowMillis - createdAtMillis, sent);
  }

  /**
   * Ends the session (its peer removed from the chain, or a newer session in place): zeroes both
   * keys; later frames are dropped as {@link DropReason#EXPIRED} and sealing is refused.
   */
  public void close() {
    closed = true;
    send.destroy();
    receive.destroy();
  }

  public boolean isClosed() {
    return closed;
  }

  /** Seals one payload into a new frame. */
  public byte[] seal(long nowMillis, byte[] payload) {
    byte[] out = new byte[payload.length + OVERHEAD];
    seal(nowMillis, payload, 0, payload.length, out, 0);
    return out;
  }

  /**
   * Seals {@code len} bytes into {@code out} at {@code outOff} (len + {@link #OVERHEAD} bytes);
   * returns the frame length. Refuses with IllegalStateException past the reject limit: the
   * caller must have rekeyed.
   */
  public int seal(long nowMillis, byte[] in, int off, int len, byte[] out, int outOff) {
    if (rekeyDecision(nowMillis) == RekeyPolicy.Decision.EXPIRED) {
      throw new IllegalStateException("session with " + peerIdentity.substring(0, 8)
          + (closed ? " is closed" : " is past its reject limit") + "; start a new handshake");
    }
    long counter = sent++;
    for (int i = 0; i < 8; i++) {
      out[outOff + i] = (byte) (counter >>> (56 - 8 * i));
    }
    send.seal(counter, NO_AD, in, off, len, out, outOff + HEADER_BYTES);
    return len + OVERHEAD;
  }

  /** Opens a frame; on any failure the reason is counted and nothing else changes. */
  public Opened open(long nowMillis, byte[] frame) {
    if (frame.length < OVERHEAD) {
      return drop(DropReason.TRUNCATED);
    }
    if (closed || policy.decide(initiator, nowMillis - createdAtMillis, 0) == RekeyPolicy.Decision.EXPIRED) {
      return drop(DropReason.EXPIRED);
    }
    long counter = ByteBuffer.wrap(frame, 0, HEADER_BYTES).getLong();
    if (counter >= policy.rejectAfterMessages() || counter < 0) {
      return drop(DropReason.TOO_OLD);
    }
    switch (window.check(counter)) {
      case DUPLICATE -> {
        return drop(DropReason.REPLAYED);
      }
      case TOO_OLD -> {
        return drop(DropReason.TOO_OLD);
      }
      default -> { }
    }
    byte[] payload = new byte[frame.length - OVERHEAD];
    try {
      receive.open(counter, NO_AD, frame, HEADER_BYTES, frame.length - HEADER_BYTES, payload, 0);
    } catch (AEADBadTagException e) {
      Arrays.fill(payload, (byte) 0);
      return drop(DropReason.BAD_TAG);
    }
    window.accept(counter);
    return new Opened(payload, null);
  }

  private Opened drop(DropReason reason) {
    drops.increment(reason);
    return new Opened(null, reason);
  }

  /** Either a payload or the reason the frame was dropped. */
  public record Opened(byte[] payload, DropReason dropped) {
    public boolean ok() {
      return dropped == null;
    }
  }
}
