package org.kinmesh.udp;

import io.vertx.core.buffer.Buffer;

/**
 * What a datagram on the node's single UDP socket is, from its first bytes alone (PROTOCOL.md
 * §3): STUN (first byte 0x00/0x01 and the magic cookie at bytes 4–7), or a kinmesh datagram
 * ({@code 0x4B 0x01 type}) of the gossip, punch or link families. Anything else is
 * {@link #UNKNOWN}, dropped and counted by the transport.
 */
public enum DatagramKind {
  STUN,
  /** types 0x01–0x0F: announce, pull, delta (and future gossip types). */
  GOSSIP,
  /** types 0x10–0x1F: hole-punch probes and keep-alives. */
  PUNCH,
  /** types 0x20–0x3F: link frames (data, acknowledgements, heartbeats). */
  LINK,
  UNKNOWN;

  public static final int STUN_MAGIC_COOKIE = 0x2112A442;
  public static final byte KINMESH_MAGIC = 0x4B;
  public static final byte KINMESH_VERSION = 0x01;
  /** Smallest STUN message: the 20-byte header. */
  private static final int STUN_HEADER = 20;

  public static DatagramKind of(Buffer data) {
    int n = data.length();
    if (n >= STUN_HEADER && (data.getByte(0) == 0x00 || data.getByte(0) == 0x01)
        && data.getInt(4) == STUN_MAGIC_COOKIE) {
      return STUN;
    }
    if (n >= 3 && data.getByte(0) == KINMESH_MAGIC && data.getByte(1) == KINMESH_VERSION) {
      int type = data.getUnsignedByte(2);
      if (type >= 0x01 && type <= 0x0F) {
        return GOSSIP;
      }
      if (type >= 0x10 && type <= 0x1F) {
        return PUNCH;
      }
      if (type >= 0x20 && type <= 0x3F) {
        return LINK;
      }
    }
    return UNKNOWN;
  }

  /** The kinmesh type byte of a GOSSIP, PUNCH or LINK datagram. */
  public static int typeByte(Buffer data) {
    return data.getUnsignedByte(2);
  }
}
