package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class StunCodecTest {
  private static final TransactionId RFC_ID = TransactionId.of(hex("b7e7a701bc34d686fa87dfae"), 0);

  /** RFC 5769 §2.1: sample request (SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT). */
  static final byte[] RFC5769_REQUEST = hex("""
      00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86
      fa 87 df ae 80 22 00 10 53 54 55 4e 20 74 65 73
      74 20 63 6c 69 65 6e 74 00 24 00 04 6e 00 01 ff
      80 29 00 08 93 2f f9 b1 51 26 3b 36 00 06 00 09
      65 76 74 6a 3a 68 36 76 59 20 20 20 00 08 00 14
      9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49
      c1 b5 71 a2 80 28 00 04 e5 7a 3b cf""");

  /** RFC 5769 §2.2: sample IPv4 response, mapped 192.0.2.1:32853. */
  static final byte[] RFC5769_IPV4_RESPONSE = hex("""
      01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86
      fa 87 df ae 80 22 00 0b 74 65 73 74 20 76 65 63
      74 6f 72 20 00 20 00 08 00 01 a1 47 e1 12 a6 43
      00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9
      2a f9 ba 53 f0 6b e7 d7 80 28 00 04 c0 7d 4c 96""");

  /** RFC 5769 §2.3: sample IPv6 response, mapped [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
  static final byte[] RFC5769_IPV6_RESPONSE = hex("""
      01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86
      fa 87 df ae 80 22 00 0b 74 65 73 74 20 76 65 63
      74 6f 72 20 00 20 00 14 00 02 a1 47 01 13 a9 fa
      a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9 00 08 00 14
      a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75
      bf e3 ed 41 80 28 00 04 c8 fb 0b 4c""");

  /** Offset of the one SOFTWARE padding byte in both sample responses (RFC 5769 pads with 0x20, we with 0x00). */
  private static final int SOFTWARE_PAD = 35;

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
  }

  static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void decodesTheRfc5769SampleRequest() throws Exception {
    StunMessage m = StunCodec.decode(RFC5769_REQUEST);
    assertThat(m.cls()).isEqualTo(StunClass.REQUEST);
    assertThat(m.isBinding()).isTrue();
    assertThat(m.id()).isEqualTo(RFC_ID);
    assertThat(m.fingerprint()).as("FINGERPRINT present and verified").isTrue();
    assertThat(m.first(StunAttribute.Software.class)).contains(new StunAttribute.Software("STUN test client"));
    // PRIORITY, USERNAME and MESSAGE-INTEGRITY are comprehension-required: kept, uninterpreted;
    // ICE-CONTROLLED (0x8029) is comprehension-optional and unknown: skipped.
    assertThat(m.attributes()).hasSize(4);
    assertThat(m.attributes().get(1)).isEqualTo(new StunAttribute.Opaque(0x0024, hex("6e0001ff")));
    assertThat(m.attributes().get(2)).isEqualTo(
        new StunAttribute.Opaque(StunAttribute.USERNAME, "evtj:h6vY".getBytes(StandardCharsets.UTF_8)));
    assertThat(m.uninterpretedRequired()).containsExactly(0x0024, StunAttribute.USERNAME,
        StunAttribute.MESSAGE_INTEGRITY);
  }

  @Test
  void decodesTheRfc5769SampleResponses() throws Exception {
    StunMessage v4 = StunCodec.decode(RFC5769_IPV4_RESPONSE);
    assertThat(v4.cls()).isEqualTo(StunClass.SUCCESS);
    assertThat(v4.id()).isEqualTo(RFC_ID);
    assertThat(v4.fingerprint()).isTrue();
    assertThat(v4.first(StunAttribute.Software.class)).contains(new StunAttribute.Software("test vector"));
    assertThat(v4.mappedAddress()).contains(addr("192.0.2.1", 32853));

    StunMessage v6 = StunCodec.decode(RFC5769_IPV6_RESPONSE);
    assertThat(v6.fingerprint()).isTrue();
    assertThat(v6.mappedAddress()).contains(addr("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  }

  @Test
  void encodesTheRfc5769SampleResponsesByteForByte() throws Exception {
    for (byte[] vector : List.of(RFC5769_IPV4_RESPONSE, RFC5769_IPV6_RESPONSE)) {
      StunMessage decoded = StunCodec.decode(vector);
      // Built from scratch, not from the decoded list, so the test shows the encoder's own layout.
      StunMessage built = new StunMessage(StunClass.SUCCESS, StunMessage.BINDING, RFC_ID, List.of(
          new StunAttribute.Software("test vector"),
          new StunAttribute.XorMappedAddress(decoded.mappedAddress().orElseThrow()),
          decoded.attributes().get(2)), true);
      byte[] ours = StunCodec.encode(built);
      byte[] expected = vector.clone();
      expected[SOFTWARE_PAD] = 0; // padding bytes may be anything; ours are zero
      int n = vector.length - 4;
      assertThat(Arrays.copyOf(ours, n)).isEqualTo(Arrays.copyOf(expected, n));
      assertThat(StunCodec.decode(ours)).isEqualTo(decoded);
      // and with the RFC's padding byte, our FINGERPRINT is the RFC's
      byte[] patched = ours.clone();
      patched[SOFTWARE_PAD] = 0x20;
      assertThat(StunCodec.encode(built)).hasSize(vector.length);
      assertThat(fingerprintOf(patched)).isEqualTo(fingerprintOf(vector));
    }
  }

  private static int fingerprintOf(byte[] m) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(m, 0, m.length - 8);
    return (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR;
  }

  @Test
  void fingerprintOfTheVectorsIsTheRfcs() {
    for (byte[] v : List.of(RFC5769_REQUEST, RFC5769_IPV4_RESPONSE, RFC5769_IPV6_RESPONSE)) {
      int stated = java.nio.ByteBuffer.wrap(v, v.length - 4, 4).getInt();
      assertThat(fingerprintOf(v)).isEqualTo(stated);
    }
  }

  @Test
  void messageTypesInterleaveMethodAndClass() {
    TransactionId id = TransactionId.random();
    assertThat(typeOf(StunMessage.bindingRequest(id))).isEqualTo(0x0001);
    assertThat(typeOf(new StunMessage(StunClass.INDICATION, 1, id, List.of(), false))).isEqualTo(0x0011);
    assertThat(typeOf(new StunMessage(StunClass.SUCCESS, 1, id, List.of(), false))).isEqualTo(0x0101);
    assertThat(typeOf(new StunMessage(StunClass.ERROR, 1, id, List.of(), false))).isEqualTo(0x0111);
    assertThat(typeOf(new StunMessage(StunClass.REQUEST, 0xFFF, id, List.of(), false))).isEqualTo(0x3EEF);
  }

  private static int typeOf(StunMessage m) {
    byte[] b = StunCodec.encode(m);
    return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
  }

  @Test
  void aBindingRequestIsTwentyEightBytesWithItsFingerprint() throws Exception {
    TransactionId id = TransactionId.random();
    byte[] b = StunCodec.encode(StunMessage.bindingRequest(id));
    assertThat(b).hasSize(28);
    assertThat(Arrays.copyOfRange(b, 0, 8)).isEqualTo(hex("0001 0008 2112a442"));
    assertThat(Arrays.copyOfRange(b, 8, 20)).isEqualTo(id.bytes());
    assertThat(StunCodec.decode(b).fingerprint()).isTrue();
    assertThat(TransactionId.random()).isNotEqualTo(id);
  }

  @Test
  void roundTripsEveryAttributeKind() throws Exception {
    TransactionId id = TransactionId.random();
    StunMessage m = new StunMessage(StunClass.ERROR, 1, id, List.of(
        new StunAttribute.XorMappedAddress(addr("203.0.113.7", 1)),
        new StunAttribute.XorMappedAddress(addr("2001:db8::9", 65535)),
        new StunAttribute.MappedAddress(addr("198.51.100.2", 3478)),
        new StunAttribute.OtherAddress(v4Mapped()),
        new StunAttribute.ResponseOrigin(addr("192.0.2.1", 3478)),
        new StunAttribute.ChangeRequest(true, false),
        new StunAttribute.ErrorCode(420, "Unknown Attribute"),
        new StunAttribute.UnknownAttributes(List.of(0x0024, 0x0006, 0x7fff)),
        new StunAttribute.Software("kinmesh é✓"),
        new StunAttribute.Opaque(0x0042, new byte[] {1, 2, 3})), true);
    StunMessage back = StunCodec.decode(StunCodec.encode(m));
    assertThat(back).isEqualTo(m);
    assertThat(back.otherAddress().orElseThrow().getAddress()).isInstanceOf(java.net.Inet6Address.class);
  }

  /** ::ffff:192.0.2.1 as an IPv6 address (InetAddress.getByName would turn it into IPv4). */
  private static InetSocketAddress v4Mapped() {
    try {
      return new InetSocketAddress(java.net.Inet6Address.getByAddress(null, hex("00000000000000000000ffffc0000201"), -1),
          3479);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void skipsUnknownOptionalAttributesAndUsesTheFirstOfARepeatedOne() throws Exception {
    TransactionId id = TransactionId.random();
    byte[] withUnknown = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, id, List.of(
        new StunAttribute.Opaque(0x8055, new byte[] {9, 9, 9, 9, 9}), // encoder writes it; decoder skips it
        new StunAttribute.XorMappedAddress(addr("192.0.2.1", 1000)),
        new StunAttribute.XorMappedAddress(addr("192.0.2.2", 2000))), true));
    StunMessage m = StunCodec.decode(withUnknown);
    assertThat(m.attributes()).hasSize(2);
    assertThat(m.mappedAddress()).contains(addr("192.0.2.1", 1000));
  }

  @Test
  void prefersXorMappedOverMapped() throws Exception {
    StunMessage m = new StunMessage(StunClass.SUCCESS, 1, TransactionId.random(), List.of(
        new StunAttribute.MappedAddress(addr("10.0.0.1", 1)),
        new StunAttribute.XorMappedAddress(addr("192.0.2.9", 9))), false);
    assertThat(StunCodec.decode(StunCodec.encode(m)).mappedAddress()).contains(addr("192.0.2.9", 9));
    StunMessage legacy = new StunMessage(StunClass.SUCCESS, 1, TransactionId.random(), List.of(
        new StunAttribute.MappedAddress(addr("10.0.0.1", 1))), false);
    assertThat(StunCodec.decode(StunCodec.encode(legacy)).mappedAddress()).contains(addr("10.0.0.1", 1));
  }

  // ---- malformed input: one clean StunParseException each ----

  private static byte[] valid() {
    return StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, RFC_ID, List.of(
        new StunAttribute.XorMappedAddress(addr("192.0.2.1", 32853)),
        new StunAttribute.Software("abc")), true));
  }

  private static void assertBad(byte[] b, String message) {
    assertThatThrownBy(() -> StunCodec.decode(b)).isInstanceOf(StunParseException.class)
        .hasMessageContaining(message);
  }

  /** A message whose body is exactly {@code body}, without FINGERPRINT. */
  private static byte[] withBody(byte[] body) {
    byte[] b = new byte[20 + body.length];
    System.arraycopy(hex("0101 0000 2112a442"), 0, b, 0, 8);
    RFC_ID.write(b, 8);
    b[2] = (byte) (body.length >> 8);
    b[3] = (byte) body.length;
    System.arraycopy(body, 0, b, 20, body.length);
    return b;
  }

  @Test
  void refusesBadHeaders() {
    assertBad(new byte[0], "shorter than the 20-byte");
    assertBad(Arrays.copyOf(valid(), 19), "shorter than the 20-byte");
    byte[] topBits = valid();
    topBits[0] |= 0x40;
    assertBad(topBits, "first two bits");
    byte[] cookie = valid();
    cookie[5] ^= 1;
    assertBad(cookie, "magic cookie");
    byte[] odd = valid();
    odd[3] += 1;
    assertBad(odd, "multiple of 4");
    byte[] longer = valid();
    longer[3] += 4;
    assertBad(longer, "bytes follow the header");
    assertBad(Arrays.copyOf(valid(), valid().length + 4), "bytes follow the header");
    assertBad(Arrays.copyOf(valid(), valid().length - 4), "bytes follow the header");
  }

  @Test
  void refusesAttributesThatOverrunOrAreMisshapen() {
    assertBad(withBody(hex("0020 0010 0001 0000 00000000")), "overruns");
    assertBad(withBody(hex("8022 0005 61626364")), "overruns"); // 5 bytes need 8 with padding
    assertBad(withBody(hex("0020 0004 0001 1234")), "must be 8 bytes");
    assertBad(withBody(hex("0020 0002 0001 0000")), "too short");
    assertBad(withBody(hex("0001 0008 0003 1234 01020304")), "unknown family");
    assertBad(withBody(hex("0001 0008 0002 1234 01020304")), "must be 20 bytes");
    assertBad(withBody(hex("0003 0002 0000 0000")), "must be 4 bytes");
    assertBad(withBody(hex("0009 0002 0000 0000")), "ERROR-CODE shorter");
    assertBad(withBody(hex("0009 0004 0000 0200")), "out of range");
    assertBad(withBody(hex("0009 0004 0000 0464")), "out of range"); // 4xx, number 100
    assertBad(withBody(hex("8022 0002 c328 0000")), "not UTF-8");
    assertBad(withBody(hex("000a 0003 0001 0000")), "odd");
    byte[] longText = new byte[4 + 764];
    longText[0] = (byte) 0x80;
    longText[1] = 0x22;
    longText[2] = 0x02;
    longText[3] = (byte) 0xFC;
    Arrays.fill(longText, 4, longText.length, (byte) 'a');
    assertBad(withBody(longText), "longer than 763");
  }

  @Test
  void checksTheFingerprintAndItsPlace() {
    byte[] flipped = valid();
    flipped[flipped.length - 1] ^= 1;
    assertBad(flipped, "FINGERPRINT does not match");
    byte[] body = valid();
    body[27] ^= 1; // the port inside XOR-MAPPED-ADDRESS: still well-formed, but the CRC no longer matches
    assertBad(body, "FINGERPRINT does not match");
    // FINGERPRINT followed by another attribute
    byte[] m = valid();
    byte[] after = Arrays.copyOf(m, m.length + 8);
    System.arraycopy(hex("8022 0004 61626364"), 0, after, m.length, 8);
    after[3] += 8;
    assertBad(after, "");
    assertBad(withBody(hex("8028 0008 0000 0000 0000 0000")), "must be 4 bytes");
  }

  @Test
  void refusesMessagesTheEncoderCannotWrite() {
    TransactionId id = TransactionId.random();
    assertThatThrownBy(() -> StunCodec.encode(new StunMessage(StunClass.REQUEST, 1, id,
        List.of(new StunAttribute.Opaque(0x0042, new byte[70_000])), false)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StunAttribute.ErrorCode(200, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StunMessage(StunClass.REQUEST, 0x1000, id, List.of(), false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StunAttribute.Software("x".repeat(764))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StunAttribute.MappedAddress(InetSocketAddress.createUnresolved("example.org", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
