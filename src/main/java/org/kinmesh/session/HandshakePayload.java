package org.kinmesh.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The kinmesh payload of a session handshake message, encrypted by Noise:
 * {@code version(1)=1 | id_len(1) | blockchain_id | genesis_hash(32) | timestamp_ms(8, big-endian)}.
 * The chain binding is here, not in the prologue, so that a peer on another chain is refused with
 * its own reason instead of an anonymous decryption failure. The timestamp makes a replayed
 * initiation recognisable (WireGuard's TAI64N plays the same role).
 */
public record HandshakePayload(ChainBinding chain, long timestampMillis) {
  static final int VERSION = 1;

  public byte[] encode() {
    byte[] id = chain.blockchainId().getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(2 + id.length + 32 + 8)
        .put((byte) VERSION).put((byte) id.length).put(id).put(chain.genesisHash()).putLong(timestampMillis)
        .array();
  }

  /** Strict: exactly one well-formed payload, nothing after it. */
  public static HandshakePayload decode(byte[] b) throws HandshakeRefusedException {
    if (b.length < 2 || b[0] != VERSION) {
      throw bad("payload version " + (b.length == 0 ? "missing" : Integer.toString(b[0] & 0xff)) + ", expected 1");
    }
    int idLen = b[1] & 0xff;
    if (b.length != 2 + idLen + 32 + 8) {
      throw bad("payload of " + b.length + " bytes for a blockchain_id of " + idLen);
    }
    String id = new String(b, 2, idLen, StandardCharsets.US_ASCII);
    ChainBinding chain;
    try {
      chain = new ChainBinding(id, Arrays.copyOfRange(b, 2 + idLen, 2 + idLen + 32));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    long ts = ByteBuffer.wrap(b, 2 + idLen + 32, 8).getLong();
    return new HandshakePayload(chain, ts);
  }

  private static HandshakeRefusedException bad(String why) {
    return new HandshakeRefusedException(HandshakeRefusal.BAD_PAYLOAD, why);
  }
}
