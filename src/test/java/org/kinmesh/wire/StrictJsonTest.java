package org.kinmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void rejectsWhatProtocolCallsMalformed() {
    assertThatThrownBy(() -> StrictJson.parse(b("{\"a\":1,\"a\":2}"))).hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> StrictJson.parse(b("[]"))).hasMessageContaining("object");
    assertThatThrownBy(() -> StrictJson.parse(b("{} {}"))).hasMessageContaining("trailing");
    assertThatThrownBy(() -> StrictJson.parse(b(""))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> StrictJson.parse(b("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}")))
        .isInstanceOf(WireException.class);
    assertThatThrownBy(() -> StrictJson.parse(new byte[65_537])).isInstanceOf(WireException.class)
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
  }

  @Test
  void typedFieldAccess() throws Exception {
    StrictJson j = StrictJson.parse(b("{\"s\":\"x\",\"n\":5,\"f\":1.5,\"big\":1e3}"));
    assertThat(j.requireString("s")).isEqualTo("x");
    assertThat(j.requireLong("n")).isEqualTo(5);
    assertThatThrownBy(() -> j.requireLong("f")).hasMessageContaining("integer");
    assertThatThrownBy(() -> j.requireLong("big")).hasMessageContaining("integer");
    assertThatThrownBy(() -> j.requireString("n")).hasMessageContaining("string");
    assertThatThrownBy(() -> j.requireString("missing")).hasMessageContaining("missing");
  }

  @Property
  void randomBytesNeverThrowAnythingButAWireException(@ForAll byte[] bytes) {
    try {
      StrictJson.parse(bytes);
    } catch (WireException expected) {
      // a clean parse error
    }
  }
}
