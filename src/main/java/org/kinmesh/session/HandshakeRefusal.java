package org.kinmesh.session;

/** Why a session handshake was refused: counted and logged by the caller, one value per cause. */
public enum HandshakeRefusal {
  /** Wrong length for the pattern, or a payload where none belongs. */
  MALFORMED,
  /** An AEAD tag failed: a flipped bit, or a handshake made for another static key. */
  DECRYPT_FAILED,
  /** The peer sent a small-order X25519 point. */
  WEAK_KEY,
  /** A message out of turn, or after the handshake was abandoned. */
  OUT_OF_TURN,
  /** The kinmesh payload does not parse (version, lengths). */
  BAD_PAYLOAD,
  /** The peer's static key is not that of an active member of this chain. */
  NOT_A_MEMBER,
  /** The peer is on another blockchain_id. */
  WRONG_CHAIN,
  /** The peer has the same blockchain_id but another genesis block. */
  WRONG_GENESIS,
  /** An initiation whose timestamp is not newer than the last one accepted from that member. */
  REPLAYED
}
