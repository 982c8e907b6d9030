package org.kinmesh.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakePayloadTest {
  private final HandshakePayload p = new HandshakePayload(SessionFixture.CHAIN, 1_765_000_000_123L);

  @Test
  void roundTrips() throws Exception {
    HandshakePayload back = HandshakePayload.decode(p.encode());
    assertThat(back.chain()).isEqualTo(SessionFixture.CHAIN);
    assertThat(back.timestampMillis()).isEqualTo(1_765_000_000_123L);
  }

  @Test
  void refusesAnythingButExactlyOneWellFormedPayload() {
    byte[] ok = p.encode();
    byte[] version2 = ok.clone();
    version2[0] = 2;
    byte[] badId = ok.clone();
    badId[2] = '/';
    for (byte[] bad : new byte[][] {new byte[0], version2, Arrays.copyOf(ok, ok.length + 1),
        Arrays.copyOf(ok, ok.length - 1), badId}) {
      assertThatThrownBy(() -> HandshakePayload.decode(bad)).isInstanceOfSatisfying(HandshakeRefusedException.class,
          e -> assertThat(e.reason()).isEqualTo(HandshakeRefusal.BAD_PAYLOAD));
    }
  }

  @Test
  void aChainBindingNamesWhatIsWrong() {
    assertThatThrownBy(() -> ChainBinding.of("family", "AB".repeat(32)))
        .hasMessageContaining("genesis_hash must be 64 lowercase hex characters");
    assertThatThrownBy(() -> ChainBinding.of("fa mily", "ab".repeat(32)))
        .hasMessageContaining("blockchain_id must be 1-64 characters of [A-Za-z0-9._-]");
  }
}
