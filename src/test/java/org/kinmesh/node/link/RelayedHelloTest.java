package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.WireException;

/** The relayed hello's codec (docs/links.md §1.1): a control payload, signed over every claim it makes. */
class RelayedHelloTest {
  final Identity a = TestKeys.key(41);
  final Identity b = TestKeys.key(42);
  static final String G = "ab".repeat(32);

  @Test
  void roundTripsAsALinkControlPayloadAndVerifies() throws WireException {
    RelayedHello h = RelayedHello.sign(a, "fam", G, b.publicKeyHex(), true, false, 1_767_225_600L);
    String wire = h.encode();
    assertThat(CallMe.isControl(wire)).as("never reaches consensus").isTrue();
    assertThat(RelayedHello.isHello(wire)).isTrue();
    RelayedHello back = RelayedHello.parse(wire);
    assertThat(back).isEqualTo(h);
    assertThat(back.signatureValid()).isTrue();
  }

  @Test
  void everyClaimIsSigned() throws WireException {
    RelayedHello h = RelayedHello.sign(a, "fam", G, b.publicKeyHex(), true, false, 1_767_225_600L);
    assertThat(new RelayedHello(h.blockchainId(), "cd".repeat(32), h.pubkey(), h.to(), h.forceRelay(), h.answer(),
        h.ts(), h.sig()).signatureValid()).as("genesis").isFalse();
    assertThat(new RelayedHello(h.blockchainId(), h.genesis(), h.pubkey(), h.to(), false, h.answer(), h.ts(),
        h.sig()).signatureValid()).as("force_relay").isFalse();
    assertThat(new RelayedHello(h.blockchainId(), h.genesis(), h.pubkey(), a.publicKeyHex(), h.forceRelay(),
        h.answer(), h.ts(), h.sig()).signatureValid()).as("to").isFalse();
  }

  @Test
  void malformedOnesAreRefused() {
    String good = RelayedHello.sign(a, "fam", G, b.publicKeyHex(), false, true, 1_767_225_600L).encode();
    assertThatThrownBy(() -> RelayedHello.parse(good.replace("\"force_relay\":false", "\"force_relay\":\"no\"")))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> RelayedHello.parse(good.replace(G, "AB".repeat(32)))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> RelayedHello.parse(good.replace("{\"kinmesh_link\":\"hello\",",
        "{\"kinmesh_link\":\"hello\",\"kinmesh_link\":\"hello\","))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> RelayedHello.parse("{\"kinmesh_link\":\"call_me\",\"endpoints\":[]}"))
        .isInstanceOf(WireException.class);
  }
}
