package org.kinmesh.stun;

/** The two class bits of a STUN message type (RFC 8489 §5). */
public enum StunClass {
  REQUEST(0b00), INDICATION(0b01), SUCCESS(0b10), ERROR(0b11);

  private final int bits;

  StunClass(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }

  static StunClass of(int bits) {
    return values()[bits]; // declared in bit order
  }
}
