package org.kinmesh.relay.forward;

/**
 * Why the relay did not forward a SEND frame: the reason byte of an UNDELIVERABLE frame, and
 * the {@code reason} label of the relay's dropped-frames counter.
 */
public enum Undeliverable {
  /** The destination has no open connection to this relay for this blockchain (or is not authorized in it). */
  NOT_CONNECTED((byte) 1, "not_connected"),
  /** The destination's outbound queue on the relay is full: it reads more slowly than it is sent to. */
  QUEUE_FULL((byte) 2, "queue_full"),
  /** The sender is over its frame-rate or byte-rate limit. */
  RATE_LIMITED((byte) 3, "rate_limited"),
  /** The payload is over 65,536 bytes. */
  TOO_LARGE((byte) 4, "too_large");

  private final byte wire;
  private final String code;

  Undeliverable(byte wire, String code) {
    this.wire = wire;
    this.code = code;
  }

  public byte wire() {
    return wire;
  }

  public String code() {
    return code;
  }

  public static Undeliverable fromWire(byte b) {
    for (Undeliverable u : values()) {
      if (u.wire == b) {
        return u;
      }
    }
    return null;
  }
}
