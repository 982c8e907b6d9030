package org.kinmesh.session;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.crypto.noise.CipherState;
import org.kinmesh.crypto.noise.HandshakePattern;
import org.kinmesh.crypto.noise.HandshakeState;
import org.kinmesh.crypto.noise.NoiseException;

/**
 * One kinmesh session handshake over Noise: IK when the initiator knows which member it calls
 * (always, when it dials a member from the chain), XX when it does not. The kinmesh payload
 * ({@link HandshakePayload}) rides in each message that Noise encrypts and authenticates with the
 * sender's static key; the reader checks it: chain, genesis, membership, and (responder, the
 * initiator's payload) freshness. Any refusal is counted in {@link SessionKeys#refusals()} and
 * abandons the handshake. Pure: no I/O; one thread.
 */
public final class SessionHandshake {
  /** Mixed into every handshake hash: a new wire version gets a new prologue. */
  static final byte[] PROLOGUE = "kinmesh-session-v1".getBytes(StandardCharsets.US_ASCII);

  private final SessionKeys keys;
  private final HandshakePattern pattern;
  private final HandshakeState noise;
  private final String expectedPeer;
  private String peer;
  private boolean failed;

  private SessionHandshake(SessionKeys keys, HandshakePattern pattern, HandshakeState noise, String expectedPeer) {
    this.keys = keys;
    this.pattern = pattern;
    this.noise = noise;
    this.expectedPeer = expectedPeer;
  }

  /** IK to a member: the first message is {@link #write()}'s. */
  public static SessionHandshake initiateIK(SessionKeys keys, String peerIdentity) throws HandshakeRefusedException {
    Optional<byte[]> rs = keys.members().sessionKeyOf(peerIdentity);
    if (rs.isEmpty()) {
      throw refuse(keys, HandshakeRefusal.NOT_A_MEMBER,
          "peer " + KeyIds.shortId(peerIdentity) + " is not an active member of " + keys.chain());
    }
    return new SessionHandshake(keys, HandshakePattern.IK, HandshakeState.initiator(HandshakePattern.IK,
        keys.hash(), PROLOGUE, keys.staticKey(), rs.get(), keys.ephemerals(), keys.staticStatic()), peerIdentity);
  }

  /** XX, when the initiator does not know which member answers (it learns it in message 2). */
  public static SessionHandshake initiateXX(SessionKeys keys) {
    return new SessionHandshake(keys, HandshakePattern.XX, HandshakeState.initiator(HandshakePattern.XX,
        keys.hash(), PROLOGUE, keys.staticKey(), null, keys.ephemerals()), null);
  }

  /** The responder's side of an IK or XX handshake (the caller reads the pattern from its framing). */
  public static SessionHandshake respond(SessionKeys keys, HandshakePattern pattern) {
    if (pattern == HandshakePattern.IX) {
      throw new IllegalArgumentException("kinmesh sessions use IK or XX, not IX");
    }
    return new SessionHandshake(keys, pattern,
        HandshakeState.responder(pattern, keys.hash(), PROLOGUE, keys.staticKey(), keys.ephemerals(),
            keys.staticStatic()), null);
  }

  public HandshakePattern pattern() {
    return pattern;
  }

  public boolean isMyTurn() {
    return !failed && noise.isMyTurn();
  }

  public boolean isComplete() {
    return !failed && noise.isComplete();
  }

  /** The peer's identity, once its static key was received and found in the authorized set. */
  public Optional<String> peer() {
    return Optional.ofNullable(peer);
  }

  /** The next message to send. */
  public byte[] write() throws HandshakeRefusedException {
    if (failed) {
      throw refuse(keys, HandshakeRefusal.OUT_OF_TURN, "the handshake was abandoned");
    }
    byte[] payload = carriesPayload(noise.messageIndex())
        ? new HandshakePayload(keys.chain(), keys.timestamps().next()).encode()
        : new byte[0];
    try {
      return noise.writeMessage(payload);
    } catch (NoiseException e) {
      failed = true;
      throw refuse(keys, map(e.reason()), e.getMessage());
    }
  }

  /** Reads the peer's next message and checks its payload; any refusal abandons the handshake. */
  public void read(byte[] message) throws HandshakeRefusedException {
    if (failed) {
      throw refuse(keys, HandshakeRefusal.OUT_OF_TURN, "the handshake was abandoned");
    }
    int index = noise.messageIndex();
    byte[] payload;
    try {
      payload = noise.readMessage(message);
    } catch (NoiseException e) {
      failed = true;
      throw refuse(keys, map(e.reason()), e.getMessage());
    }
    try {
      check(index, payload);
    } catch (HandshakeRefusedException e) {
      failed = true;
      keys.refusals().increment(e.reason());
      throw e;
    }
  }

  /** The session, once complete; {@code nowMillis} from the caller's monotonic clock. Call once. */
  public TransportSession established(long nowMillis) {
    if (!isComplete() || peer == null) {
      throw new IllegalStateException("the handshake is not complete");
    }
    byte[] hash = noise.handshakeHash();
    CipherState[] cs = noise.split();
    return new TransportSession(cs[0], cs[1], noise.isInitiator(), peer, hash, nowMillis, keys.policy(),
        keys.drops());
  }

  private void check(int index, byte[] payload) throws HandshakeRefusedException {
    if (!carriesPayload(index)) {
      if (payload.length != 0) {
        throw new HandshakeRefusedException(HandshakeRefusal.MALFORMED,
            "message " + index + " of " + pattern + " carries no payload, got " + payload.length + " bytes");
      }
      return;
    }
    HandshakePayload p = HandshakePayload.decode(payload);
    if (!p.chain().blockchainId().equals(keys.chain().blockchainId())) {
      throw new HandshakeRefusedException(HandshakeRefusal.WRONG_CHAIN,
          "peer is on blockchain '" + p.chain().blockchainId() + "', this node on '" + keys.chain().blockchainId() + "'");
    }
    if (!p.chain().equals(keys.chain())) {
      throw new HandshakeRefusedException(HandshakeRefusal.WRONG_GENESIS,
          "peer has genesis " + p.chain() + ", this node " + keys.chain());
    }
    byte[] rs = noise.remoteStatic();
    Optional<String> who = keys.members().identityOf(rs);
    if (who.isEmpty()) {
      throw new HandshakeRefusedException(HandshakeRefusal.NOT_A_MEMBER,
          "the peer's static key is not that of an active member of " + keys.chain());
    }
    if (expectedPeer != null && !expectedPeer.equals(who.get())) {
      throw new HandshakeRefusedException(HandshakeRefusal.NOT_A_MEMBER, "answered by "
          + KeyIds.shortId(who.get()) + ", not " + KeyIds.shortId(expectedPeer));
    }
    if (!noise.isInitiator()) {
      // The initiator's payload: authenticated by its static key, so only a replay repeats it.
      if (!keys.replayGuard().isFresh(who.get(), p.timestampMillis())) {
        throw new HandshakeRefusedException(HandshakeRefusal.REPLAYED, "initiation from "
            + KeyIds.shortId(who.get()) + " is not newer than the last one accepted");
      }
      keys.replayGuard().record(who.get(), p.timestampMillis());
    }
    peer = who.get();
  }

  /** IK: both messages carry it; XX: messages 2 and 3 (message 1 is in clear). */
  private boolean carriesPayload(int index) {
    return pattern == HandshakePattern.IK || index > 0;
  }

  private static HandshakeRefusal map(NoiseException.Reason r) {
    return switch (r) {
      case MALFORMED -> HandshakeRefusal.MALFORMED;
      case DECRYPT_FAILED -> HandshakeRefusal.DECRYPT_FAILED;
      case WEAK_KEY -> HandshakeRefusal.WEAK_KEY;
      case OUT_OF_TURN -> HandshakeRefusal.OUT_OF_TURN;
    };
  }

  private static HandshakeRefusedException refuse(SessionKeys keys, HandshakeRefusal reason, String message) {
    keys.refusals().increment(reason);
    return new HandshakeRefusedException(reason, message);
  }
}
