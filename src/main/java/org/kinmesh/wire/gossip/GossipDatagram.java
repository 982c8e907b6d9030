package org.kinmesh.wire.gossip;

import java.util.Arrays;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/** The kinmesh datagram frame of PROTOCOL.md §3: 0x4B 0x01, a type byte, then a UTF-8 JSON object. */
public final class GossipDatagram {
  public static final byte MAGIC = 0x4B;
  public static final byte VERSION = 0x01;
  public static final byte TYPE_ANNOUNCE = 0x01;
  public static final byte TYPE_PULL = 0x02;
  public static final byte TYPE_DELTA = 0x03;
  /** The cookie reply of docs/gossip.md (an addition to PROTOCOL.md §3 within version 1). */
  public static final byte TYPE_COOKIE = 0x04;
  public static final int MAX_GOSSIP_BYTES = 1_200;

  private GossipDatagram() {}

  public static boolean isKinmesh(byte[] d) {
    return d.length >= 3 && d[0] == MAGIC && d[1] == VERSION;
  }

  public static byte[] encode(byte type, byte[] jsonUtf8) {
    byte[] out = new byte[3 + jsonUtf8.length];
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = type;
    System.arraycopy(jsonUtf8, 0, out, 3, jsonUtf8.length);
    return out;
  }

  /** Parses the JSON body of a gossip datagram after checking its frame and size. */
  public static StrictJson body(byte[] d, byte expectedType) throws WireException {
    if (d.length > MAX_GOSSIP_BYTES) {
      throw WireException.malformed("gossip datagram over " + MAX_GOSSIP_BYTES + " bytes");
    }
    if (!isKinmesh(d) || d[2] != expectedType) {
      throw WireException.malformed("not a kinmesh datagram of type " + expectedType);
    }
    return StrictJson.parse(Arrays.copyOfRange(d, 3, d.length));
  }
}
