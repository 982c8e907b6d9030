package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kinmesh.testing.StdCapture;

class QuorumCommandTest {
  @RegisterExtension
  final StdCapture std = new StdCapture();

  @Test
  void tableForOneToTen() {
    assertThat(Main.run("quorum")).isEqualTo(0);
    String[] lines = std.out().split("\n");
    assertThat(lines[0]).isEqualTo("quorum thresholds (min_viable_nodes = 1)");
    assertThat(lines[1].trim().split("\\s+")).containsExactly("n", "f", "strict", "emergency", "tolerates_down");
    assertThat(lines[2].trim().split("\\s+")).containsExactly("1", "0", "1", "1", "0");
    assertThat(lines[7].trim().split("\\s+")).containsExactly("6", "1", "4", "4", "2");
    assertThat(lines[11].trim().split("\\s+")).containsExactly("10", "3", "7", "6", "3");
    assertThat(std.out()).contains("tolerates crashes, not lies");
  }

  @Test
  void oneRowForN() {
    assertThat(Main.run("quorum", "7")).isEqualTo(0);
    String[] lines = std.out().split("\n");
    assertThat(lines[2].trim().split("\\s+")).containsExactly("7", "2", "5", "4", "2");
    assertThat(lines[3]).isEmpty();
  }

  @Test
  void jsonIsAlwaysAList() throws Exception {
    assertThat(Main.run("quorum", "--json")).isEqualTo(0);
    JsonNode all = new ObjectMapper().readTree(std.out());
    assertThat(all.isArray()).isTrue();
    assertThat(all).hasSize(10);
    assertThat(all.get(4).toString()).isEqualTo("{\"n\":5,\"f\":1,\"strict\":4,\"emergency\":3,\"tolerates_down\":1}");

    std.clearOut();
    assertThat(Main.run("quorum", "4", "--json")).isEqualTo(0);
    assertThat(std.out().trim()).isEqualTo("[{\"n\":4,\"f\":1,\"strict\":3,\"emergency\":3,\"tolerates_down\":1}]");
  }

  @Test
  void minViableRaisesSmallNetworks() {
    assertThat(Main.run("quorum", "3", "--min-viable", "4", "--json")).isEqualTo(0);
    assertThat(std.out().trim()).isEqualTo("[{\"n\":3,\"f\":0,\"strict\":3,\"emergency\":2,\"tolerates_down\":0}]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "1001"})
  void badNIsAUsageError(String bad) {
    assertThat(Main.run("quorum", bad)).isEqualTo(2);
    assertThat(std.err()).contains("kinmesh quorum: N must be in 1..1000, got " + bad);
    assertThat(std.out()).isEmpty();
  }

  @Test
  void nonNumericNIsAUsageError() {
    assertThat(Main.run("quorum", "four")).isEqualTo(2);
    assertThat(std.err()).contains("four");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1001"})
  void badMinViableIsAUsageError(String bad) {
    assertThat(Main.run("quorum", "--min-viable", bad)).isEqualTo(2);
    assertThat(std.err()).contains("min_viable_nodes must be in 1..1000, got " + bad);
  }
}
