package org.kinmesh.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;

class HostCheckTest {
  final HostCheck check = new HostCheck(List.of("kin.home.arpa"));

  @Test
  void servesLoopbackNamesAddressesAndConfiguredNames() {
    for (String h : List.of("localhost", "localhost:8080", "LocalHost.", "127.0.0.1", "127.9.9.9:1", "[::1]",
        "[::1]:8080", "192.168.1.5:8080", "kin.home.arpa", "KIN.home.arpa:8080")) {
      assertThat(check.allows(h)).as(h).isTrue();
    }
    assertThat(check.allows(null)).as("no Host: no browser").isTrue();
  }

  @Test
  void refusesOtherNamesAndBadPorts() {
    for (String h : List.of("evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io",
        "home.arpa", "x.kin.home.arpa", "localhost:0", "localhost:99999", "localhost:80a", "[::1", "[evil]:80",
        "[::1]x", "", "localhost:")) {
      assertThat(check.allows(h)).as(h).isFalse();
    }
  }

  @Property
  void anyIpv4LiteralWithAnyPortIsServed(@ForAll @IntRange(max = 255) int a, @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(min = 1, max = 65_535) int port) {
    assertThat(check.allows(a + ".1." + b + ".2:" + port)).isTrue();
  }

  @Property
  void anUnconfiguredNameIsRefused(@ForAll @AlphaChars @StringLength(min = 1, max = 20) String label) {
    String name = label + ".example";
    assertThat(check.allows(name)).isFalse();
    assertThat(new HostCheck(List.of(name.toLowerCase())).allows(name + ":8080")).isTrue();
  }

  @Test
  void configuredNamesAreCheckedAtStart() throws Exception {
    assertThat(HostCheck.parseAllowed("api_allowed_hosts", List.of("Kin.Home.Arpa"))).containsExactly("kin.home.arpa");
    for (String bad : List.of("kin:8080", "http://kin", "*.kin", "", "a..b")) {
      assertThatThrownBy(() -> HostCheck.parseAllowed("api_allowed_hosts", List.of(bad)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("api_allowed_hosts");
    }
  }
}
