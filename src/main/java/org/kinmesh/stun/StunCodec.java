package org.kinmesh.stun;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * STUN message codec (RFC 8489, with the RFC 5780 attributes), pure. The decoder checks every
 * length before it reads the bytes it covers and throws {@link StunParseException}, and nothing
 * else, for any malformed input: a datagram from the network is never trusted.
 */
public final class StunCodec {
  public static final int HEADER_BYTES = 20;
  public static final int MAGIC_COOKIE = 0x2112A442;
  /** FINGERPRINT is the CRC-32 of the message before it, XORed with "STUN". */
  static final int FINGERPRINT_XOR = 0x5354554E;
  private static final int FAMILY_IPV4 = 0x01;
  private static final int FAMILY_IPV6 = 0x02;

  private StunCodec() {}

  // ---- decoding ----

  public static StunMessage decode(byte[] data) throws StunParseException {
    return decode(data, 0, data.length);
  }

  public static StunMessage decode(byte[] b, int off, int len) throws StunParseException {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IllegalArgumentException("range outside the array");
    }
    if (len < HEADER_BYTES) {
      throw new StunParseException("shorter than the 20-byte STUN header: " + len + " bytes");
    }
    if ((b[off] & 0xC0) != 0) {
      throw new StunParseException("the first two bits of a STUN message must be zero");
    }
    int type = u16(b, off);
    int bodyLength = u16(b, off + 2);
    if (bodyLength % 4 != 0) {
      throw new StunParseException("message length " + bodyLength + " is not a multiple of 4");
    }
    if (bodyLength != len - HEADER_BYTES) {
      throw new StunParseException("message length " + bodyLength + " but " + (len - HEADER_BYTES)
          + " bytes follow the header");
    }
    if (i32(b, off + 4) != MAGIC_COOKIE) {
      throw new StunParseException("no magic cookie (RFC 3489 messages are not supported)");
    }
    TransactionId id = TransactionId.of(b, off + 8);
    int method = (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2;
    StunClass cls = StunClass.of((type >> 4 & 1) | (type >> 7 & 2));

    List<StunAttribute> attributes = new ArrayList<>();
    boolean fingerprint = false;
    int end = off + len;
    int p = off + HEADER_BYTES;
    while (p < end) {
      if (fingerprint) {
        throw new StunParseException("attribute after FINGERPRINT");
      }
      if (end - p < 4) {
        throw new StunParseException("truncated attribute header at byte " + (p - off));
      }
      int atype = u16(b, p);
      int alen = u16(b, p + 2);
      int padded = (alen + 3) & ~3;
      if (padded > end - p - 4) {
        throw new StunParseException(String.format("attribute 0x%04x of %d bytes overruns the message", atype, alen));
      }
      int v = p + 4;
      switch (atype) {
        case StunAttribute.FINGERPRINT -> {
          requireLength(atype, alen, 4);
          int expected = crc(b, off, p - off) ^ FINGERPRINT_XOR;
          if (i32(b, v) != expected) {
            throw new StunParseException("FINGERPRINT does not match the message");
          }
          fingerprint = true;
        }
        case StunAttribute.XOR_MAPPED_ADDRESS ->
            attributes.add(new StunAttribute.XorMappedAddress(address(b, v, alen, atype, id)));
        case StunAttribute.MAPPED_ADDRESS ->
            attributes.add(new StunAttribute.MappedAddress(address(b, v, alen, atype, null)));
        case StunAttribute.OTHER_ADDRESS ->
            attributes.add(new StunAttribute.OtherAddress(address(b, v, alen, atype, null)));
        case StunAttribute.RESPONSE_ORIGIN ->
            attributes.add(new StunAttribute.ResponseOrigin(address(b, v, alen, atype, null)));
        case StunAttribute.CHANGE_REQUEST -> {
          requireLength(atype, alen, 4);
          int flags = i32(b, v);
          attributes.add(new StunAttribute.ChangeRequest((flags & 0x4) != 0, (flags & 0x2) != 0));
        }
        case StunAttribute.ERROR_CODE -> attributes.add(errorCode(b, v, alen));
        case StunAttribute.SOFTWARE -> attributes.add(new StunAttribute.Software(text(b, v, alen, "SOFTWARE")));
        case StunAttribute.UNKNOWN_ATTRIBUTES -> {
          if (alen % 2 != 0) {
            throw new StunParseException("UNKNOWN-ATTRIBUTES length " + alen + " is odd");
          }
          List<Integer> types = new ArrayList<>(alen / 2);
          for (int i = 0; i < alen; i += 2) {
            types.add(u16(b, v + i));
          }
          attributes.add(new StunAttribute.UnknownAttributes(types));
        }
        default -> {
          if (StunAttribute.comprehensionRequired(atype)) {
            attributes.add(new StunAttribute.Opaque(atype, Arrays.copyOfRange(b, v, v + alen)));
          } // unknown comprehension-optional: skipped
        }
      }
      p = v + padded;
    }
    return new StunMessage(cls, method, id, attributes, fingerprint);
  }

  private static void requireLength(int type, int actual, int expected) throws StunParseException {
    if (actual != expected) {
      throw new StunParseException(String.format("attribute 0x%04x must be %d bytes, not %d", type, expected, actual));
    }
  }

  /** An address value; XORed with the cookie (and the transaction ID for IPv6) when {@code xorId} is given. */
  private static InetSocketAddress address(byte[] b, int v, int alen, int type, TransactionId xorId)
      throws StunParseException {
    if (alen < 4) {
      throw new StunParseException(String.format("address attribute 0x%04x too short: %d bytes", type, alen));
    }
    int family = b[v + 1] & 0xFF;
    int port = u16(b, v + 2);
    int size;
    if (family == FAMILY_IPV4) {
      size = 4;
    } else if (family == FAMILY_IPV6) {
      size = 16;
    } else {
      throw new StunParseException(String.format("address attribute 0x%04x has unknown family %d", type, family));
    }
    requireLength(type, alen, 4 + size);
    byte[] ip = Arrays.copyOfRange(b, v + 4, v + 4 + size);
    if (xorId != null) {
      port ^= MAGIC_COOKIE >>> 16;
      xor(ip, xorId);
    }
    try {
      InetAddress addr = size == 4 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, -1);
      return new InetSocketAddress(addr, port);
    } catch (UnknownHostException e) {
      throw new StunParseException("bad address bytes"); // not reached: the length was checked
    }
  }

  private static StunAttribute.ErrorCode errorCode(byte[] b, int v, int alen) throws StunParseException {
    if (alen < 4) {
      throw new StunParseException("ERROR-CODE shorter than 4 bytes");
    }
    int cls = b[v + 2] & 0x07;
    int number = b[v + 3] & 0xFF;
    if (cls < 3 || cls > 6 || number > 99) {
      throw new StunParseException("ERROR-CODE class " + cls + " number " + number + " out of range");
    }
    return new StunAttribute.ErrorCode(cls * 100 + number, text(b, v + 4, alen - 4, "ERROR-CODE reason"));
  }

  private static String text(byte[] b, int v, int len, String what) throws StunParseException {
    if (len > StunAttribute.MAX_TEXT_BYTES) {
      throw new StunParseException(what + " longer than " + StunAttribute.MAX_TEXT_BYTES + " bytes");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, v, len)).toString();
    } catch (CharacterCodingException e) {
      throw new StunParseException(what + " is not UTF-8");
    }
  }

  // ---- encoding ----

  /** The wire bytes of a message; FINGERPRINT last when the message asks for it. */
  public static byte[] encode(StunMessage m) {
    Writer w = new Writer();
    int c = m.cls().bits();
    int mt = m.method();
    int type = (mt & 0x000F) | (mt & 0x0070) << 1 | (mt & 0x0F80) << 2 | (c & 1) << 4 | (c & 2) << 7;
    w.u16(type);
    w.u16(0); // length, set below
    w.i32(MAGIC_COOKIE);
    w.ensure(12);
    m.id().write(w.buf, w.pos);
    w.pos += 12;
    for (StunAttribute a : m.attributes()) {
      writeAttribute(w, a, m.id());
    }
    if (m.fingerprint()) {
      setLength(w, w.pos - HEADER_BYTES + 8);
      int crc = crc(w.buf, 0, w.pos) ^ FINGERPRINT_XOR;
      w.u16(StunAttribute.FINGERPRINT);
      w.u16(4);
      w.i32(crc);
    } else {
      setLength(w, w.pos - HEADER_BYTES);
    }
    return Arrays.copyOf(w.buf, w.pos);
  }

  private static void setLength(Writer w, int bodyLength) {
    if (bodyLength > 0xFFFF) {
      throw new IllegalArgumentException("STUN message body over 65535 bytes");
    }
    w.buf[2] = (byte) (bodyLength >> 8);
    w.buf[3] = (byte) bodyLength;
  }

  private static void writeAttribute(Writer w, StunAttribute a, TransactionId id) {
    byte[] value;
    if (a instanceof StunAttribute.XorMappedAddress x) {
      value = addressValue(x.address(), id);
    } else if (a instanceof StunAttribute.Address x) {
      value = addressValue(x.address(), null);
    } else if (a instanceof StunAttribute.ChangeRequest cr) {
      value = new byte[] {0, 0, 0, (byte) ((cr.changeIp() ? 4 : 0) | (cr.changePort() ? 2 : 0))};
    } else if (a instanceof StunAttribute.ErrorCode e) {
      byte[] reason = e.reason().getBytes(StandardCharsets.UTF_8);
      value = new byte[4 + reason.length];
      value[2] = (byte) (e.code() / 100);
      value[3] = (byte) (e.code() % 100);
      System.arraycopy(reason, 0, value, 4, reason.length);
    } else if (a instanceof StunAttribute.Software s) {
      value = s.text().getBytes(StandardCharsets.UTF_8);
    } else if (a instanceof StunAttribute.UnknownAttributes u) {
      value = new byte[2 * u.types().size()];
      for (int i = 0; i < u.types().size(); i++) {
        value[2 * i] = (byte) (u.types().get(i) >> 8);
        value[2 * i + 1] = (byte) (int) u.types().get(i);
      }
    } else {
      value = ((StunAttribute.Opaque) a).value();
    }
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("attribute value over 65535 bytes");
    }
    w.u16(a.type());
    w.u16(value.length);
    w.bytes(value);
    w.pad();
  }

  private static byte[] addressValue(InetSocketAddress a, TransactionId xorId) {
    byte[] ip = a.getAddress().getAddress();
    byte[] out = new byte[4 + ip.length];
    out[1] = (byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
    int port = a.getPort();
    if (xorId != null) {
      port ^= MAGIC_COOKIE >>> 16;
      xor(ip, xorId);
    }
    out[2] = (byte) (port >> 8);
    out[3] = (byte) port;
    System.arraycopy(ip, 0, out, 4, ip.length);
    return out;
  }

  /** XORs an address with the magic cookie, then (IPv6) the transaction ID; its own inverse. */
  private static void xor(byte[] ip, TransactionId id) {
    byte[] key = new byte[16];
    key[0] = (byte) (MAGIC_COOKIE >>> 24);
    key[1] = (byte) (MAGIC_COOKIE >>> 16);
    key[2] = (byte) (MAGIC_COOKIE >>> 8);
    key[3] = (byte) MAGIC_COOKIE;
    id.write(key, 4);
    for (int i = 0; i < ip.length; i++) {
      ip[i] ^= key[i];
    }
  }

  static boolean isIpv4(InetSocketAddress a) {
    return a.getAddress() instanceof Inet4Address;
  }

  // ---- bytes ----

  private static int crc(byte[] b, int off, int len) {
    CRC32 crc = new CRC32();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
  }

  private static int i32(byte[] b, int i) {
    return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
  }

  /** A growable byte array; STUN messages are small. */
  private static final class Writer {
    byte[] buf = new byte[128];
    int pos;

    void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    void u16(int v) {
      ensure(2);
      buf[pos++] = (byte) (v >> 8);
      buf[pos++] = (byte) v;
    }

    void i32(int v) {
      u16(v >>> 16);
      u16(v & 0xFFFF);
    }

    void bytes(byte[] v) {
      ensure(v.length);
      System.arraycopy(v, 0, buf, pos, v.length);
      pos += v.length;
    }

    /** Zero padding to the next multiple of 4. */
    void pad() {
      int n = (4 - (pos & 3)) & 3;
      ensure(n);
      pos += n; // fresh bytes are already zero
    }
  }
}
