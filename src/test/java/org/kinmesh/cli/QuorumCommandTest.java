package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuorumCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tableForOneToTen() {
    assertThat(Main.run("quorum")).isEqualTo(0);
    String[] lines = out().split("\n");
    assertThat(lines[0]).isEqualTo("quorum thresholds (min_viable_nodes = 1)");
    assertThat(lines[1].trim().split("\\s+")).containsExactly("n", "f", "strict", "emergency", "tolerates_down");
    assertThat(lines[2].trim().split("\\s+")).containsExactly("1", "0", "1", "1", "0");
    assertThat(lines[7].trim().split("\\s+")).containsExactly("6", "1", "4", "4", "2");
    assertThat(lines[11].trim().split("\\s+")).containsExactly("10", "3", "7", "6", "3");
    assertThat(out()).contains("tolerates crashes, not lies");
  }

  @Test
  void oneRowForN() {
    assertThat(Main.run("quorum", "7")).isEqualTo(0);
    String[] lines = out().split("\n");
    assertThat(lines[2].trim().split("\\s+")).containsExactly("7", "2", "5", "4", "2");
    assertThat(lines[3]).isEmpty();
  }

  @Test
  void jsonIsAlwaysAList() throws Exception {
    assertThat(Main.run("quorum", "--json")).isEqualTo(0);
    JsonNode all = new ObjectMapper().readTree(out());
    assertThat(all.isArray()).isTrue();
    assertThat(all).hasSize(10);
    assertThat(all.get(4).toString()).isEqualTo("{\"n\":5,\"f\":1,\"strict\":4,\"emergency\":3,\"tolerates_down\":1}");

    out.reset();
    assertThat(Main.run("quorum", "4", "--json")).isEqualTo(0);
    assertThat(out().trim()).isEqualTo("[{\"n\":4,\"f\":1,\"strict\":3,\"emergency\":3,\"tolerates_down\":1}]");
  }

  @Test
  void minViableRaisesSmallNetworks() {
    assertThat(Main.run("quorum", "3", "--min-viable", "4", "--json")).isEqualTo(0);
    assertThat(out().trim()).isEqualTo("[{\"n\":3,\"f\":0,\"strict\":3,\"emergency\":2,\"tolerates_down\":0}]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "1001"})
  void badNIsAUsageError(String bad) {
    assertThat(Main.run("quorum", bad)).isEqualTo(2);
    assertThat(err()).contains("kinmesh quorum: N must be in 1..1000, got " + bad);
    assertThat(out()).isEmpty();
  }

  @Test
  void nonNumericNIsAUsageError() {
    assertThat(Main.run("quorum", "four")).isEqualTo(2);
    assertThat(err()).contains("four");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1001"})
  void badMinViableIsAUsageError(String bad) {
    assertThat(Main.run("quorum", "--min-viable", bad)).isEqualTo(2);
    assertThat(err()).contains("min_viable_nodes must be in 1..1000, got " + bad);
  }
}
