package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  @Test
  void rightMostUntrustedHopIsTheClient() throws Exception {
    TrustedProxies p = TrustedProxies.parse("trusted_proxies", List.of("127.0.0.1", "10.0.0.0/8", "2001:db8::/32"));
    assertThat(p.clientAddress("127.0.0.1", "192.0.2.1")).isEqualTo("192.0.2.1");
    assertThat(p.clientAddress("127.0.0.1", "198.51.100.9, 192.0.2.1, 10.1.2.3")).isEqualTo("192.0.2.1");
    assertThat(p.clientAddress("203.0.113.5", "192.0.2.1")).as("untrusted peer").isEqualTo("203.0.113.5");
    assertThat(p.clientAddress("127.0.0.1", null)).isEqualTo("127.0.0.1");
    assertThat(p.clientAddress("127.0.0.1", "garbage")).isEqualTo("127.0.0.1");
    assertThat(p.clientAddress("2001:db8::7", "192.0.2.9")).isEqualTo("192.0.2.9");
    assertThat(p.trusts("11.0.0.1")).isFalse();
  }

  @Test
  void neverResolvesNames() throws Exception {
    TrustedProxies p = TrustedProxies.parse("trusted_proxies", List.of("127.0.0.1"));
    assertThat(p.clientAddress("127.0.0.1", "cafe")).isEqualTo("127.0.0.1");
    assertThat(TrustedProxies.literal("deadbeef")).isNull();
    assertThat(TrustedProxies.literal("face.b00c")).isNull();
  }
}
