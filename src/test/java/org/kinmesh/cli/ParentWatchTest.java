package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.StdCapture;

/** The demo's children stop when their stdin pipe closes (DemoIT kills a real demo with SIGKILL). */
class ParentWatchTest {
  @RegisterExtension
  final StdCapture std = new StdCapture();

  @Test
  void exitsOnceTheParentsPipeClosesAndSaysWhy() throws Exception {
    PipedOutputStream parent = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(parent);
    Promise<Void> exited = Promise.promise();
    assertThat(ParentWatch.startIfAsked(Map.of(ParentWatch.ENV, "1"), stdin, exited::complete)).isTrue();
    parent.write("ignored\n".getBytes());
    assertThat(exited.future().isComplete()).isFalse();
    parent.close(); // what the kernel does when the demo dies
    Await.result(exited.future());
    assertThat(std.err()).contains("stdin closed: the kinmesh demo that started this process is gone; stopping");
  }

  @Test
  void withoutTheVariableAClosedStdinStopsNothing() {
    // `kinmesh relay &` from a shell, or under systemd, often has stdin at EOF from the start
    assertThat(ParentWatch.startIfAsked(Map.of(), new ByteArrayInputStream(new byte[0]), () -> {
      throw new AssertionError("must not exit");
    })).isFalse();
  }
}
