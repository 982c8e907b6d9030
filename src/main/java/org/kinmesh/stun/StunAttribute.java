package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The STUN attributes kinmesh reads and writes (RFC 8489 §14, RFC 5780 §7). FINGERPRINT is not
 * an attribute here but a flag of {@link StunMessage}: the codec computes and checks it.
 * Comprehension-required attributes the codec does not interpret are kept as {@link Opaque}
 * (a server answers them with 420); unknown comprehension-optional ones are skipped.
 */
public sealed interface StunAttribute {
  int MAPPED_ADDRESS = 0x0001;
  int CHANGE_REQUEST = 0x0003;
  int USERNAME = 0x0006;
  int MESSAGE_INTEGRITY = 0x0008;
  int ERROR_CODE = 0x0009;
  int UNKNOWN_ATTRIBUTES = 0x000A;
  int XOR_MAPPED_ADDRESS = 0x0020;
  /** RFC 5780 §7.6, kept as {@link Opaque}: a request's padding, echoed by the responder. */
  int PADDING = 0x0026;
  /** RFC 5780 §7.5, kept as {@link Opaque}: send the response to this port of the source IP. */
  int RESPONSE_PORT = 0x0027;
  int SOFTWARE = 0x8022;
  int FINGERPRINT = 0x8028;
  int RESPONSE_ORIGIN = 0x802B;
  int OTHER_ADDRESS = 0x802C;

  /** RFC 8489: the longest reason phrase or SOFTWARE value, in bytes (127 characters of up to 6 bytes). */
  int MAX_TEXT_BYTES = 763;

  int type();

  /** Types 0x0000-0x7FFF must be understood by the receiver (RFC 8489 §14). */
  static boolean comprehensionRequired(int type) {
    return type < 0x8000;
  }

  /** An address attribute of any of the four kinds; the codec XORs only XOR-MAPPED-ADDRESS. */
  sealed interface Address extends StunAttribute {
    InetSocketAddress address();
  }

  record XorMappedAddress(InetSocketAddress address) implements Address {
    public XorMappedAddress {
      requireLiteral(address);
    }

    @Override
    public int type() {
      return XOR_MAPPED_ADDRESS;
    }
  }

  record MappedAddress(InetSocketAddress address) implements Address {
    public MappedAddress {
      requireLiteral(address);
    }

    @Override
    public int type() {
      return MAPPED_ADDRESS;
    }
  }

  /** RFC 5780: the server's alternate address (different IP and port). */
  record OtherAddress(InetSocketAddress address) implements Address {
    public OtherAddress {
      requireLiteral(address);
    }

    @Override
    public int type() {
      return OTHER_ADDRESS;
    }
  }

  /** RFC 5780: the address the response was sent from. */
  record ResponseOrigin(InetSocketAddress address) implements Address {
    public ResponseOrigin {
      requireLiteral(address);
    }

    @Override
    public int type() {
      return RESPONSE_ORIGIN;
    }
  }

  /** RFC 5780 §7.2: ask the server to answer from its other IP and/or other port. */
  record ChangeRequest(boolean changeIp, boolean changePort) implements StunAttribute {
    @Override
    public int type() {
      return CHANGE_REQUEST;
    }
  }

  record ErrorCode(int code, String reason) implements StunAttribute {
    public ErrorCode {
      if (code < 300 || code > 699) {
        throw new IllegalArgumentException("STUN error code must be 300-699: " + code);
      }
      requireText("reason", reason);
    }

    @Override
    public int type() {
      return ERROR_CODE;
    }
  }

  record Software(String text) implements StunAttribute {
    public Software {
      requireText("software", text);
    }

    @Override
    public int type() {
      return SOFTWARE;
    }
  }

  /** In a 420 answer: the comprehension-required types the server did not understand. */
  record UnknownAttributes(List<Integer> types) implements StunAttribute {
    public UnknownAttributes {
      types = List.copyOf(types);
      for (int t : types) {
        if (t < 0 || t > 0xFFFF) {
          throw new IllegalArgumentException("attribute type out of range: " + t);
        }
      }
    }

    @Override
    public int type() {
      return UNKNOWN_ATTRIBUTES;
    }
  }

  /** A comprehension-required attribute kept as bytes (USERNAME, MESSAGE-INTEGRITY, ...). */
  record Opaque(int type, byte[] value) implements StunAttribute {
    public Opaque {
      if (type < 0 || type > 0xFFFF || type == FINGERPRINT) {
        throw new IllegalArgumentException("bad opaque attribute type: " + type);
      }
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Opaque other && other.type == type && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
      return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return String.format("Opaque[type=0x%04x, %d bytes]", type, value.length);
    }
  }

  private static void requireLiteral(InetSocketAddress a) {
    Objects.requireNonNull(a, "address");
    if (a.isUnresolved()) {
      throw new IllegalArgumentException("STUN addresses are IP literals, not names: " + a);
    }
  }

  private static void requireText(String what, String text) {
    Objects.requireNonNull(text, what);
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(what + " longer than " + MAX_TEXT_BYTES + " bytes");
    }
  }
}
