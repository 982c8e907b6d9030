package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The responder's template fast path answers exactly what its general path answers. */
class PlainBindingAnswerProperties {
  private static final StunResponder V4 = new StunResponder(StunCodecTest.addr("192.0.2.1", 3478),
      StunCodecTest.addr("192.0.2.2", 3479), "kinmesh relay");
  private static final StunResponder V4_PLAIN = new StunResponder(StunCodecTest.addr("0.0.0.0", 3478), null, "x");
  private static final StunResponder V6 = new StunResponder(StunCodecTest.addr("2001:db8::1", 3478),
      StunCodecTest.addr("2001:db8::2", 3479), "kinmesh relay");

  @Property(tries = 3000)
  void fastAndGeneralAnswersAreTheSameBytes(@ForAll int high, @ForAll long low, @ForAll boolean fingerprint,
      @ForAll @Size(4) byte[] ip4, @ForAll @Size(16) byte[] ip6, @ForAll @IntRange(min = 0, max = 65535) int port,
      @ForAll @IntRange(min = 0, max = 3) int socket) throws Exception {
    byte[] req = StunCodec.encode(new StunMessage(StunClass.REQUEST, StunMessage.BINDING, new TransactionId(high, low),
        List.of(), fingerprint));
    assertThat(PlainBindingAnswer.isPlainBinding(req, req.length)).isTrue();
    InetSocketAddress c4 = new InetSocketAddress(InetAddress.getByAddress(ip4), port);
    InetSocketAddress c6 = new InetSocketAddress(Inet6Address.getByAddress(null, ip6, -1), port);
    assertSame(V4, req, c4, socket);
    assertSame(V4_PLAIN, req, c4, 0);
    assertSame(V6, req, c6, socket);
    // a client of the other family goes the general way, and still gets its address
    StunResponder.Reply cross = V4.respond(req, req.length, c6, socket);
    assertThat(StunCodec.decode(cross.data()).mappedAddress()).contains(c6);
  }

  private static void assertSame(StunResponder r, byte[] req, InetSocketAddress client, int socket) {
    StunResponder.Reply fast = r.respond(req, req.length, client, socket);
    StunResponder.Reply general = r.general(req, req.length, client, socket);
    assertThat(fast).usingRecursiveComparison().isEqualTo(general);
    assertThat(fast.data()).isEqualTo(general.data());
  }

  @Property(tries = 2000)
  void onlyPlainBindingsTakeTheFastPath(@ForAll @Size(max = 40) byte[] junk) {
    if (PlainBindingAnswer.isPlainBinding(junk, junk.length)) {
      // whatever passes must be something the general path answers OK
      StunResponder.Reply r = V4.general(junk, junk.length, StunCodecTest.addr("198.51.100.1", 1), 0);
      assertThat(r.outcome()).isEqualTo(StunResponder.Outcome.OK);
    }
    byte[] withSoftware = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random(),
        new StunAttribute.Software("a")));
    assertThat(PlainBindingAnswer.isPlainBinding(withSoftware, withSoftware.length)).isFalse();
    byte[] badFingerprint = StunCodec.encode(StunMessage.bindingRequest(TransactionId.random()));
    badFingerprint[27] ^= 1;
    assertThat(PlainBindingAnswer.isPlainBinding(badFingerprint, badFingerprint.length)).isFalse();
    assertThat(V4.respond(badFingerprint, badFingerprint.length, StunCodecTest.addr("198.51.100.1", 1), 0).outcome())
        .isEqualTo(StunResponder.Outcome.MALFORMED);
  }
}
