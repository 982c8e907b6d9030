package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerSpecTest {
  @Test
  void parsesNamesAndLiteralsWithAndWithoutPort() {
    assertThat(ServerSpec.parse("stun.l.google.com:19302")).isEqualTo(new ServerSpec("stun.l.google.com", 19302));
    assertThat(ServerSpec.parse("stun.example.org")).isEqualTo(new ServerSpec("stun.example.org", 3478));
    assertThat(ServerSpec.parse("192.0.2.1:3479")).isEqualTo(new ServerSpec("192.0.2.1", 3479));
    assertThat(ServerSpec.parse(" 127.0.0.1 ")).isEqualTo(new ServerSpec("127.0.0.1", 3478));
    assertThat(ServerSpec.parse("[2001:db8::1]:5349")).isEqualTo(new ServerSpec("2001:db8::1", 5349));
    assertThat(ServerSpec.parse("[::1]")).isEqualTo(new ServerSpec("::1", 3478));
    assertThat(ServerSpec.parse("2001:db8::1")).isEqualTo(new ServerSpec("2001:db8::1", 3478));
    assertThat(ServerSpec.parse("localhost:1")).isEqualTo(new ServerSpec("localhost", 1));
    assertThat(ServerSpec.parse("[2001:db8::1]:5349").toString()).isEqualTo("[2001:db8::1]:5349");
  }

  @Test
  void refusesWhatIsNotAServer() {
    String[][] bad = {
        {"", "empty"}, {"   ", "empty"}, {"host:", "not a number"}, {"host:0", "not in 1-65535"},
        {"host:65536", "not in 1-65535"}, {"host:12ab", "not a number"}, {"host:-1", "not a number"},
        {"bad_name:3478", "not a host name"}, {"-lead.example:1", "not a host name"}, {"a..b", "not a host name"},
        {"1.2.3.999", "not a host name"}, {"[2001:db8::1", "missing ']'"}, {"[2001:db8::1]3478", "expected ':port'"},
        {"[not:v6:zz]:1", "not an IPv6"}, {"1:2:3", "not host:port"}, {"x".repeat(64) + ".example", "not a host name"},
        {"host:99999999", "not a number"}, {"[fe80::1%eth0]:1", "not an IPv6"}};
    for (String[] b : bad) {
      assertThatThrownBy(() -> ServerSpec.parse(b[0])).as(b[0]).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(b[1]);
    }
    assertThatThrownBy(() -> ServerSpec.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
