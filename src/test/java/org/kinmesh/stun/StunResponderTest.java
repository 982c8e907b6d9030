package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kinmesh.stun.StunCodecTest.addr;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.stun.StunResponder.Outcome;
import org.kinmesh.stun.StunResponder.Reply;

class StunResponderTest {
  private static final java.net.InetSocketAddress CLIENT = addr("198.51.100.9", 50123);
  private static final java.net.InetSocketAddress P = addr("192.0.2.1", 3478);
  private static final java.net.InetSocketAddress A = addr("192.0.2.2", 3479);
  private final StunResponder plain = new StunResponder(P, null, "test");
  private final StunResponder rfc5780 = new StunResponder(P, A, "test");

  private static byte[] request(StunAttribute... attrs) {
    return StunCodec.encode(StunMessage.bindingRequest(TransactionId.random(), attrs));
  }

  private static StunMessage decode(Reply r) throws StunParseException {
    assertThat(r.data()).isNotNull();
    return StunCodec.decode(r.data());
  }

  private static Reply respond(StunResponder s, byte[] req, int socket) {
    return s.respond(req, req.length, CLIENT, socket);
  }

  @Test
  void answersAPlainBindingWithItsAddressAndRfc5780sOnly() throws Exception {
    Reply r = respond(rfc5780, request(), 0);
    StunMessage m = decode(r);
    assertThat(m.attributes()).containsExactly(new StunAttribute.XorMappedAddress(CLIENT),
        new StunAttribute.ResponseOrigin(P), new StunAttribute.OtherAddress(A));
    assertThat(r.data()).hasSize(56);
    assertThat(respond(plain, request(), 0).data()).hasSize(40);
  }

  @Test
  void answersABindingWithTheSourceAddress() throws Exception {
    byte[] req = request(new StunAttribute.Software("client"));
    Reply r = respond(plain, req, 0);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(r.socket()).isZero();
    StunMessage m = decode(r);
    assertThat(m.cls()).isEqualTo(StunClass.SUCCESS);
    assertThat(m.id()).isEqualTo(StunCodec.decode(req).id());
    assertThat(m.fingerprint()).isTrue();
    assertThat(m.first(StunAttribute.XorMappedAddress.class).orElseThrow().address()).isEqualTo(CLIENT);
    assertThat(m.first(StunAttribute.MappedAddress.class).orElseThrow().address()).isEqualTo(CLIENT);
    assertThat(m.first(StunAttribute.ResponseOrigin.class).orElseThrow().address()).isEqualTo(P);
    assertThat(m.otherAddress()).isEmpty();
    assertThat(m.first(StunAttribute.Software.class).orElseThrow().text()).isEqualTo("test");
  }

  @Test
  void answersTheRfc5769SampleRequestIgnoringItsCredentials() throws Exception {
    Reply r = respond(plain, StunCodecTest.RFC5769_REQUEST, 0);
    assertThat(r.outcome()).as("USERNAME and MESSAGE-INTEGRITY are understood, PRIORITY is not")
        .isEqualTo(Outcome.UNKNOWN_ATTRIBUTE);
    assertThat(decode(r).first(StunAttribute.UnknownAttributes.class).orElseThrow().types()).containsExactly(0x0024);
    byte[] withCredentials = request(new StunAttribute.Opaque(StunAttribute.USERNAME, "a:b".getBytes()),
        new StunAttribute.Opaque(StunAttribute.MESSAGE_INTEGRITY, new byte[20]));
    assertThat(respond(plain, withCredentials, 0).outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void rfc5780OtherAddressIsTheDiagonalAndChangeRequestFlipsTheSocket() throws Exception {
    List<java.net.InetSocketAddress> sockets = rfc5780.sockets();
    assertThat(sockets).containsExactly(P, addr("192.0.2.1", 3479), addr("192.0.2.2", 3478), A);
    for (int on = 0; on < 4; on++) {
      for (int flags = 0; flags < 4; flags++) {
        boolean ip = (flags & 2) != 0;
        boolean port = (flags & 1) != 0;
        Reply r = respond(rfc5780, request(new StunAttribute.ChangeRequest(ip, port)), on);
        int expected = on ^ flags;
        assertThat(r.socket()).as("on %d flags %d", on, flags).isEqualTo(expected);
        StunMessage m = decode(r);
        assertThat(m.otherAddress()).contains(sockets.get(on ^ 3));
        assertThat(m.first(StunAttribute.ResponseOrigin.class).orElseThrow().address()).isEqualTo(sockets.get(expected));
        assertThat(m.mappedAddress()).contains(CLIENT);
      }
    }
  }

  @Test
  void withoutAnAlternateAChangeRequestGets420() throws Exception {
    Reply r = respond(plain, request(new StunAttribute.ChangeRequest(false, true)), 0);
    assertThat(r.outcome()).isEqualTo(Outcome.UNKNOWN_ATTRIBUTE);
    StunMessage m = decode(r);
    assertThat(m.cls()).isEqualTo(StunClass.ERROR);
    assertThat(m.errorCode().orElseThrow().code()).isEqualTo(420);
    assertThat(m.first(StunAttribute.UnknownAttributes.class).orElseThrow().types())
        .containsExactly(StunAttribute.CHANGE_REQUEST);
    // a CHANGE-REQUEST that asks for nothing is just a Binding
    assertThat(respond(plain, request(new StunAttribute.ChangeRequest(false, false)), 0).outcome())
        .isEqualTo(Outcome.OK);
  }

  @Test
  void unknownComprehensionRequiredAttributesGet420() throws Exception {
    Reply r = respond(rfc5780, request(new StunAttribute.Opaque(0x0024, new byte[4]) /* ICE PRIORITY */,
        new StunAttribute.Opaque(0x0025, new byte[0]) /* ICE USE-CANDIDATE */), 1);
    assertThat(r.socket()).as("errors leave from the socket the request came to").isEqualTo(1);
    assertThat(r.port()).isEqualTo(CLIENT.getPort());
    assertThat(decode(r).first(StunAttribute.UnknownAttributes.class).orElseThrow().types())
        .containsExactly(0x0024, 0x0025);
  }

  @Test
  void otherMethodsGet400() throws Exception {
    byte[] allocate = StunCodec.encode(new StunMessage(StunClass.REQUEST, 0x003, TransactionId.random(), List.of(),
        true));
    Reply r = respond(plain, allocate, 0);
    assertThat(r.outcome()).isEqualTo(Outcome.BAD_REQUEST);
    StunMessage m = decode(r);
    assertThat(m.method()).isEqualTo(0x003);
    assertThat(m.errorCode().orElseThrow().code()).isEqualTo(400);
  }

  @Test
  void dropsWhatIsNotAnswered() {
    byte[] indication = StunCodec.encode(new StunMessage(StunClass.INDICATION, 1, TransactionId.random(), List.of(),
        false));
    byte[] success = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, TransactionId.random(), List.of(), false));
    assertThat(respond(plain, indication, 0)).isEqualTo(new Reply(Outcome.NOT_REQUEST, -1, -1, null));
    assertThat(respond(plain, success, 0).outcome()).isEqualTo(Outcome.NOT_REQUEST);
    assertThat(respond(plain, new byte[] {0, 1, 0, 0}, 0).outcome()).isEqualTo(Outcome.MALFORMED);
    byte[] big = request(new StunAttribute.Opaque(0x0006, new byte[StunResponder.MAX_REQUEST_BYTES]));
    assertThat(respond(plain, big, 0).outcome()).isEqualTo(Outcome.OVERSIZED);
    byte[] justFits = request(new StunAttribute.Opaque(0x0006, new byte[StunResponder.MAX_REQUEST_BYTES - 20 - 4
        - 8 - 8]), new StunAttribute.Software("x")); // header, USERNAME header, SOFTWARE, FINGERPRINT
    assertThat(justFits.length).isEqualTo(StunResponder.MAX_REQUEST_BYTES);
    assertThat(respond(plain, justFits, 0).outcome()).isEqualTo(Outcome.OK);
    byte[] padded = request(new StunAttribute.Opaque(StunAttribute.PADDING, new byte[1500]));
    assertThat(respond(plain, padded, 0).outcome()).isEqualTo(Outcome.OK);
    byte[] overPadded = request(new StunAttribute.Opaque(StunAttribute.PADDING, new byte[1600]));
    assertThat(respond(plain, overPadded, 0).outcome()).isEqualTo(Outcome.OVERSIZED);
  }

  @Test
  void paddingIsEchoedSoTheAnswerIsAsLargeAsTheRequest() throws Exception {
    byte[] padded = request(new StunAttribute.Opaque(StunAttribute.PADDING, new byte[1500]),
        new StunAttribute.ChangeRequest(true, true));
    Reply r = respond(rfc5780, padded, 0);
    assertThat(r.socket()).isEqualTo(3);
    assertThat(r.data().length).isGreaterThanOrEqualTo(padded.length);
    assertThat(decode(r).mappedAddress()).contains(CLIENT);
  }

  @Test
  void responsePortRedirectsTheAnswerToAnotherPortOfTheSourceIp() throws Exception {
    byte[] req = request(new StunAttribute.Opaque(StunAttribute.RESPONSE_PORT, new byte[] {(byte) 0xC3, 0x50, 0, 0}),
        new StunAttribute.ChangeRequest(true, true));
    Reply r = respond(rfc5780, req, 0);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(r.port()).isEqualTo(50000);
    assertThat(r.socket()).isEqualTo(3);
    assertThat(decode(r).mappedAddress()).as("the mapping is still the request's source").contains(CLIENT);
    byte[] zero = request(new StunAttribute.Opaque(StunAttribute.RESPONSE_PORT, new byte[4]));
    assertThat(respond(rfc5780, zero, 0).outcome()).isEqualTo(Outcome.BAD_REQUEST);
    byte[] shortValue = request(new StunAttribute.Opaque(StunAttribute.RESPONSE_PORT, new byte[] {1, 2}));
    assertThat(respond(rfc5780, shortValue, 0).outcome()).isEqualTo(Outcome.BAD_REQUEST);
    byte[] both = request(new StunAttribute.Opaque(StunAttribute.RESPONSE_PORT, new byte[] {1, 2, 0, 0}),
        new StunAttribute.Opaque(StunAttribute.PADDING, new byte[8]));
    Reply b = respond(rfc5780, both, 0);
    assertThat(b.outcome()).isEqualTo(Outcome.BAD_REQUEST);
    assertThat(b.port()).as("errors go back to the source port").isEqualTo(CLIENT.getPort());
  }

  @Test
  void aWildcardPrimaryLeavesOutResponseOrigin() throws Exception {
    StunResponder any = new StunResponder(addr("0.0.0.0", 3478), null, "test");
    StunMessage m = decode(respond(any, request(), 0));
    assertThat(m.first(StunAttribute.ResponseOrigin.class)).isEmpty();
    assertThat(m.mappedAddress()).contains(CLIENT);
  }

  @Test
  void refusesAlternatesThatCannotWork() {
    assertThatThrownBy(() -> new StunResponder(addr("0.0.0.0", 3478), A, "x")).hasMessageContaining("wildcard");
    assertThatThrownBy(() -> new StunResponder(P, addr("192.0.2.1", 3479), "x")).hasMessageContaining("both");
    assertThatThrownBy(() -> new StunResponder(P, addr("192.0.2.2", 3478), "x")).hasMessageContaining("both");
    assertThatThrownBy(() -> new StunResponder(P, addr("2001:db8::2", 3479), "x")).hasMessageContaining("family");
  }
}
