package org.kinmesh.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class DatagramKindTest {
  private static Buffer bytes(int... b) {
    Buffer buf = Buffer.buffer();
    for (int x : b) {
      buf.appendByte((byte) x);
    }
    return buf;
  }

  private static Buffer stunHeader(int firstByte) {
    Buffer b = Buffer.buffer().appendByte((byte) firstByte).appendByte((byte) 0x01).appendShort((short) 0)
        .appendInt(DatagramKind.STUN_MAGIC_COOKIE);
    return b.appendBytes(new byte[12]);
  }

  @Test
  void stunNeedsFirstByteZeroOrOneAndTheCookie() {
    assertEquals(DatagramKind.STUN, DatagramKind.of(stunHeader(0x00)));
    assertEquals(DatagramKind.STUN, DatagramKind.of(stunHeader(0x01)));
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(stunHeader(0x02)));
    Buffer wrongCookie = stunHeader(0x00);
    wrongCookie.setInt(4, 0x2112A443);
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(wrongCookie));
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(stunHeader(0x00).getBuffer(0, 19)), "shorter than a header");
  }

  @Test
  void kinmeshTypesFallIntoTheirFamilies() {
    assertEquals(DatagramKind.GOSSIP, DatagramKind.of(bytes(0x4B, 0x01, 0x01, '{', '}')));
    assertEquals(DatagramKind.GOSSIP, DatagramKind.of(bytes(0x4B, 0x01, 0x03)));
    assertEquals(DatagramKind.PUNCH, DatagramKind.of(bytes(0x4B, 0x01, 0x10)));
    assertEquals(DatagramKind.PUNCH, DatagramKind.of(bytes(0x4B, 0x01, 0x1F)));
    assertEquals(DatagramKind.LINK, DatagramKind.of(bytes(0x4B, 0x01, 0x20)));
    assertEquals(DatagramKind.LINK, DatagramKind.of(bytes(0x4B, 0x01, 0x3F)));
  }

  @Test
  void everythingElseIsUnknown() {
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(Buffer.buffer()));
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(bytes(0x4B, 0x01)), "no type byte");
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(bytes(0x4B, 0x01, 0x00)), "type 0");
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(bytes(0x4B, 0x01, 0x40)), "past the reserved range");
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(bytes(0x4B, 0x02, 0x01)), "other version");
    assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(bytes('h', 'e', 'l', 'l', 'o')));
  }
}
