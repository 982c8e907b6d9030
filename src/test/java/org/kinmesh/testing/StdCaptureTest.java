package org.kinmesh.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class StdCaptureTest {

  @Test
  void duringCapturesOneCallApartAndPutsTheStreamsBack() {
    PrintStream realOut = System.out;
    PrintStream realErr = System.err;
    StdCapture std = new StdCapture();
    int code = std.during(() -> {
      System.out.println("to out é");
      System.err.print("to err");
      return 3;
    });
    assertThat(code).isEqualTo(3);
    assertThat(std.out()).isEqualTo("to out é" + System.lineSeparator());
    assertThat(std.err()).isEqualTo("to err");
    assertThat(System.out).isSameAs(realOut);
    assertThat(System.err).isSameAs(realErr);

    std.during(() -> 0);
    assertThat(std.out()).as("each call starts empty").isEmpty();
    assertThat(std.err()).isEmpty();
  }

  @Test
  void streamsComeBackWhenTheCallThrowsAndNestingIsRefused() {
    PrintStream realOut = System.out;
    StdCapture std = new StdCapture();
    assertThatThrownBy(() -> std.during(() -> {
      throw new IllegalArgumentException("boom");
    })).hasMessage("boom");
    assertThat(System.out).isSameAs(realOut);
    assertThatThrownBy(() -> std.during(() -> std.during(() -> 0))).isInstanceOf(IllegalStateException.class);
    assertThat(System.out).isSameAs(realOut);
  }

  @Test
  void clearingOneBufferKeepsTheOther() {
    StdCapture std = new StdCapture();
    std.during(() -> {
      System.out.print("o");
      System.err.print("e");
      std.clearErr();
      System.err.print("f");
      return 0;
    });
    assertThat(std.out()).isEqualTo("o");
    assertThat(std.err()).isEqualTo("f");
  }
}
