package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The codec round-trips every message it can write, and meets any input with StunParseException alone. */
class StunCodecProperties {
  private static final Set<Integer> INTERPRETED = Set.of(StunAttribute.MAPPED_ADDRESS, StunAttribute.CHANGE_REQUEST,
      StunAttribute.ERROR_CODE, StunAttribute.UNKNOWN_ATTRIBUTES, StunAttribute.XOR_MAPPED_ADDRESS);

  @Property(tries = 2000)
  void encodeThenDecodeIsTheIdentity(@ForAll("messages") StunMessage m) throws Exception {
    byte[] wire = StunCodec.encode(m);
    assertThat(wire.length % 4).isZero();
    assertThat(StunCodec.decode(wire)).isEqualTo(m);
  }

  @Property(tries = 3000)
  void randomBytesOnlyEverFailCleanly(@ForAll @Size(max = 200) byte[] bytes) {
    decodeOrParseError(bytes);
  }

  /** Random bodies behind a valid header, so the attribute parser is reached, not just the header checks. */
  @Property(tries = 5000)
  void randomBodiesBehindAValidHeaderOnlyEverFailCleanly(@ForAll @Size(max = 120) List<@IntRange(min = 0, max = 255)
      Integer> body, @ForAll boolean typeHints) {
    int n = body.size() & ~3;
    byte[] b = new byte[20 + n];
    b[0] = 0x01;
    b[1] = 0x01;
    b[2] = (byte) (n >> 8);
    b[3] = (byte) n;
    b[4] = 0x21;
    b[5] = 0x12;
    b[6] = (byte) 0xA4;
    b[7] = 0x42;
    for (int i = 0; i < n; i++) {
      b[20 + i] = (byte) (int) body.get(i);
    }
    if (typeHints && n >= 4) {
      // point the first attribute at a type the codec interprets, with a plausible length
      int[] types = {0x0001, 0x0003, 0x0009, 0x000A, 0x0020, 0x8022, 0x8028, 0x802B, 0x802C};
      int t = types[body.get(0) % types.length];
      b[20] = (byte) (t >> 8);
      b[21] = (byte) t;
      b[22] = 0;
      b[23] = (byte) Math.min(n - 4, body.get(1) % 24);
    }
    decodeOrParseError(b);
  }

  @Property(tries = 3000)
  void mutatedValidMessagesOnlyEverFailCleanly(@ForAll("messages") StunMessage m,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 1_000_000) Integer> edits) {
    byte[] b = StunCodec.encode(m);
    for (int e : edits) {
      int kind = e % 4;
      int at = (e / 4) % Math.max(1, b.length);
      switch (kind) {
        case 0 -> { // flip one byte
          if (b.length > 0) {
            b[at] ^= (byte) (1 + (e >> 8) % 255);
          }
        }
        case 1 -> b = Arrays.copyOf(b, at); // truncate
        case 2 -> { // grow by a few bytes, header length unchanged
          b = Arrays.copyOf(b, b.length + 1 + e % 8);
        }
        default -> { // rewrite the header's length field
          if (b.length >= 4) {
            b[2] = (byte) (e >> 10);
            b[3] = (byte) (e >> 2);
          }
        }
      }
    }
    decodeOrParseError(b);
  }

  private static void decodeOrParseError(byte[] b) {
    try {
      StunMessage m = StunCodec.decode(b);
      // whatever decodes must encode again
      StunCodec.encode(m);
    } catch (StunParseException expected) {
      // the one allowed failure
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<StunMessage> messages() {
    Arbitrary<TransactionId> ids = Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
        .as(TransactionId::new);
    return Combinators.combine(Arbitraries.of(StunClass.class), Arbitraries.integers().between(0, 0xFFF), ids,
        attribute().list().ofMaxSize(8), Arbitraries.of(true, false)).as(StunMessage::new);
  }

  private Arbitrary<StunAttribute> attribute() {
    Arbitrary<InetSocketAddress> addresses = Combinators.combine(ip(), Arbitraries.integers().between(0, 65_535))
        .as(InetSocketAddress::new);
    Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff')
        .ofMaxLength(127);
    return Arbitraries.oneOf(
        addresses.map(StunAttribute.XorMappedAddress::new),
        addresses.map(StunAttribute.MappedAddress::new),
        addresses.map(StunAttribute.OtherAddress::new),
        addresses.map(StunAttribute.ResponseOrigin::new),
        Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false)).as(StunAttribute.ChangeRequest::new),
        Combinators.combine(Arbitraries.integers().between(300, 699), text).as(StunAttribute.ErrorCode::new),
        text.map(StunAttribute.Software::new),
        Arbitraries.integers().between(0, 0xFFFF).list().ofMaxSize(6).map(StunAttribute.UnknownAttributes::new),
        Combinators.combine(Arbitraries.integers().between(0, 0x7FFF).filter(t -> !INTERPRETED.contains(t)),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(StunAttribute.Opaque::new));
  }

  private Arbitrary<InetAddress> ip() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(4).map(b -> {
          try {
            return InetAddress.getByAddress(b);
          } catch (UnknownHostException e) {
            throw new AssertionError(e);
          }
        }),
        Arbitraries.bytes().array(byte[].class).ofSize(16).map(b -> {
          try {
            return Inet6Address.getByAddress(null, b, -1);
          } catch (UnknownHostException e) {
            throw new AssertionError(e);
          }
        }));
  }
}
