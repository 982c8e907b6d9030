package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.util.zip.CRC32;

/**
 * The hot path of a busy responder: the answer to a plain Binding request (a bare header, or a
 * header and FINGERPRINT), filled into a per-socket template the general encoder wrote once:
 * XOR-MAPPED-ADDRESS, then FINGERPRINT when the answer has room for it (StunResponder keeps
 * answers within twice the request); the transaction ID, the address and the FINGERPRINT change. It is
 * byte for byte what {@link StunResponder}'s general path answers (a property test checks it);
 * anything else goes the general way.
 */
final class PlainBindingAnswer {
  private static final int XOR_PORT = 26;
  private static final int XOR_ADDR = 28;

  private final byte[][] templates;
  private final int addrLength;
  private final boolean fingerprint;

  /** @param templates per socket number, the general path's answer to a client 0.0.0.0:0 (or [::]:0) with ID 0 */
  PlainBindingAnswer(byte[][] templates, int addrLength, boolean fingerprint) {
    this.templates = templates;
    this.addrLength = addrLength;
    this.fingerprint = fingerprint;
  }

  /** A Binding request with no attribute, or FINGERPRINT alone (and it matches). */
  static boolean isPlainBinding(byte[] b, int len) {
    if ((len != 20 && len != 28) || b[0] != 0x00 || b[1] != 0x01 || b[2] != 0 || (b[3] & 0xFF) != len - 20
        || i32(b, 4) != StunCodec.MAGIC_COOKIE) {
      return false;
    }
    if (len == 20) {
      return true;
    }
    return b[20] == (byte) 0x80 && b[21] == 0x28 && b[22] == 0 && b[23] == 4
        && i32(b, 24) == (crc(b, 20) ^ StunCodec.FINGERPRINT_XOR);
  }

  /** The answer, or null when the client's family does not match the template. */
  byte[] answer(byte[] req, InetSocketAddress from, int socket) {
    byte[] ip = from.getAddress().getAddress();
    if (ip.length != addrLength) {
      return null;
    }
    byte[] out = templates[socket].clone();
    System.arraycopy(req, 8, out, 8, 12); // transaction ID
    int port = from.getPort();
    out[XOR_PORT] = (byte) ((port >> 8) ^ 0x21);
    out[XOR_PORT + 1] = (byte) (port ^ 0x12);
    for (int i = 0; i < ip.length; i++) {
      out[XOR_ADDR + i] = (byte) (ip[i] ^ out[4 + i]); // cookie, then the transaction ID (bytes 4-19)
    }
    if (!fingerprint) {
      return out;
    }
    int fp = crc(out, out.length - 8) ^ StunCodec.FINGERPRINT_XOR;
    out[out.length - 4] = (byte) (fp >>> 24);
    out[out.length - 3] = (byte) (fp >>> 16);
    out[out.length - 2] = (byte) (fp >>> 8);
    out[out.length - 1] = (byte) fp;
    return out;
  }

  private static int crc(byte[] b, int len) {
    CRC32 crc = new CRC32();
    crc.update(b, 0, len);
    return (int) crc.getValue();
  }

  private static int i32(byte[] b, int i) {
    return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
  }
}
