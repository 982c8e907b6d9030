package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.stun.StunCodecTest.addr;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A STUN server answers whoever the source address claims to be, so its answers must stay within
 * twice the request's size (issue 13.6: 84 bytes to a bare 20-byte Binding, 4.2x, before): a
 * spoofed request then reflects at most 2x. The exceptions are the smallest answers possible:
 * XOR-MAPPED-ADDRESS alone (44 bytes for an IPv6 client, 2.2x a bare header), and on an RFC 5780
 * server XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS, which RFC 5780 clients need from
 * a bare Binding (56 bytes for IPv4, 2.8x).
 */
class StunAmplificationTest {
  private static final InetSocketAddress V4 = addr("198.51.100.9", 50123);
  private static final InetSocketAddress V6 = addr("2001:db8::9", 50123);
  private static final InetSocketAddress P = addr("192.0.2.1", 3478);
  private static final InetSocketAddress A = addr("192.0.2.2", 3479);
  private static final InetSocketAddress P6 = addr("2001:db8::1", 3478);
  private static final InetSocketAddress A6 = addr("2001:db8::2", 3479);

  /** Requests a spoofer might send, from the bare 20-byte header up. */
  private static Map<String, byte[]> requests() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    byte[] bare = new byte[20];
    bare[1] = 0x01;
    bare[4] = 0x21;
    bare[5] = 0x12;
    bare[6] = (byte) 0xA4;
    bare[7] = 0x42;
    bare[19] = 7;
    m.put("bare binding", bare);
    m.put("binding + fingerprint", req(StunMessage.bindingRequest(TransactionId.random())));
    m.put("binding as NatProbe sends it", req(StunMessage.bindingRequest(TransactionId.random(),
        new StunAttribute.Software("kinmesh"))));
    m.put("change-request", req(new StunMessage(StunClass.REQUEST, StunMessage.BINDING, TransactionId.random(),
        java.util.List.of(new StunAttribute.ChangeRequest(true, true)), false)));
    m.put("not a binding (400)", req(new StunMessage(StunClass.REQUEST, 0x003, TransactionId.random(),
        java.util.List.of(), false)));
    m.put("unknown attribute (420)", req(new StunMessage(StunClass.REQUEST, StunMessage.BINDING,
        TransactionId.random(), java.util.List.of(new StunAttribute.Opaque(0x0024, new byte[0])), false)));
    return m;
  }

  private static byte[] req(StunMessage m) {
    return StunCodec.encode(m);
  }

  @Test
  void everyAnswerIsAtMostTwiceItsRequest() {
    StringBuilder figures = new StringBuilder();
    for (boolean v6 : new boolean[] {false, true}) {
      InetSocketAddress client = v6 ? V6 : V4;
      StunResponder[] servers = {new StunResponder(v6 ? P6 : P, null, "kinmesh relay"),
          new StunResponder(v6 ? P6 : P, v6 ? A6 : A, "kinmesh relay")};
      for (StunResponder s : servers) {
        for (Map.Entry<String, byte[]> e : requests().entrySet()) {
          byte[] q = e.getValue();
          StunResponder.Reply r = s.respond(q, q.length, client, 0);
          assertThat(r.data()).as(e.getKey()).isNotNull();
          double ratio = (double) r.data().length / q.length;
          figures.append(String.format("%s %s %s: %d B -> %d B (%.2fx)%n", v6 ? "IPv6" : "IPv4",
              s.rfc5780() ? "rfc5780" : "plain", e.getKey(), q.length, r.data().length, ratio));
          int address = v6 ? 24 : 12;
          int bound = Math.max(2 * q.length, 20 + address * (s.rfc5780() ? 3 : 1));
          assertThat(r.data().length).as(e.getKey() + (v6 ? " (IPv6)" : "") + "\n" + figures).isLessThanOrEqualTo(bound);
        }
      }
    }
    System.out.print(figures);
  }

  @Test
  void theDefaultServerAnswersABareBindingWithinTwiceItsSize() throws Exception {
    byte[] q = requests().get("bare binding");
    StunResponder.Reply r = new StunResponder(P, null, "kinmesh relay").respond(q, q.length, V4, 0);
    assertThat(r.data()).hasSize(40);
    StunMessage m = StunCodec.decode(r.data());
    assertThat(m.cls()).isEqualTo(StunClass.SUCCESS);
    assertThat(m.first(StunAttribute.XorMappedAddress.class).orElseThrow().address()).isEqualTo(V4);
  }

  @Test
  void anRfc5780ServerStillTellsABareBindingItsOtherAddress() throws Exception {
    byte[] q = requests().get("bare binding");
    StunResponder.Reply r = new StunResponder(P, A, "kinmesh relay").respond(q, q.length, V4, 0);
    StunMessage m = StunCodec.decode(r.data());
    assertThat(m.otherAddress()).contains(A);
    assertThat(m.first(StunAttribute.ResponseOrigin.class).orElseThrow().address()).isEqualTo(P);
    assertThat(r.data()).hasSize(56);
  }
}
