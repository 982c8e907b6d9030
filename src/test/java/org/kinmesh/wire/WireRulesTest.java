package org.kinmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WireRulesTest {
  @Test
  void ipRules() {
    assertThat(WireRules.isIp("203.0.113.10")).isTrue();
    assertThat(WireRules.isIp("2001:db8::1")).isTrue();
    assertThat(WireRules.isIp("::1")).isTrue();
    assertThat(WireRules.isIp("::")).isTrue();
    assertThat(WireRules.isIp("2001:db8:0:1:1:1:1:1")).isTrue();
    assertThat(WireRules.isIp("2001:db8::1:0:0:1")).isTrue();
    for (String bad : new String[] {"2001:DB8::1", "2001:db8:0:0:0:0:0:1", "2001:0db8::1", "2001:db8::0:1",
        "::ffff:192.0.2.1", "::ffff:c000:201", "fe80::1%eth0", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
        "example.com", "", "1::2::3", "2001:db8:0:1:1:1:1:1:1", " 1.2.3.4", "2001:db8:0:0:1:0:0:1"}) {
      assertThat(WireRules.isIp(bad)).as(bad).isFalse();
    }
  }

  @Test
  void canonicalIpOfSocketAddresses() {
    assertThat(WireRules.canonicalIp("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(WireRules.canonicalIp("::ffff:127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(WireRules.canonicalIp("0:0:0:0:0:ffff:7f00:1")).isEqualTo("127.0.0.1");
    assertThat(WireRules.canonicalIp("fe80:0:0:0:0:0:0:1%eth0")).isEqualTo("fe80::1");
    assertThat(WireRules.canonicalIp("203.0.113.1")).isEqualTo("203.0.113.1");
  }

  @Property
  void canonicalIpv6AgreesWithTheJdkAndIsAccepted(@ForAll @Size(8) java.util.List<@IntRange(min = 0, max = 3) Integer> picks,
      @ForAll @Size(8) java.util.List<@IntRange(min = 0, max = 0xffff) Integer> values) throws Exception {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = picks.get(i) == 0 ? values.get(i) : 0; // plenty of zero runs
    }
    String text = WireRules.canonicalIpv6(groups);
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[2 * i] = (byte) (groups[i] >> 8);
      bytes[2 * i + 1] = (byte) groups[i];
    }
    // the JDK parses our text back to the same address
    assertThat(InetAddress.getByName(text).getAddress()).isEqualTo(InetAddress.getByAddress(bytes).getAddress());
    boolean mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
        && groups[5] == 0xffff;
    assertThat(WireRules.isCanonicalIpv6(text)).isEqualTo(!mapped);
  }

  @Test
  void blockchainIdsAndTimestamps() {
    assertThat(WireRules.isBlockchainId("family_network-1.0")).isTrue();
    assertThat(WireRules.isBlockchainId("x".repeat(64))).isTrue();
    assertThat(WireRules.isBlockchainId("x".repeat(65))).isFalse();
    assertThat(WireRules.isBlockchainId("")).isFalse();
    assertThat(WireRules.isBlockchainId("a/b")).isFalse();
    assertThat(WireRules.isTimestamp(0)).isTrue();
    assertThat(WireRules.isTimestamp(1L << 53)).isTrue();
    assertThat(WireRules.isTimestamp((1L << 53) + 1)).isFalse();
    assertThat(WireRules.isTimestamp(-1)).isFalse();
  }
}
