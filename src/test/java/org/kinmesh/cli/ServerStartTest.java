package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kinmesh.testing.StdCapture;

/** `kinmesh node` and `kinmesh relay` printed "cannot start: null" when their start timed out. */
class ServerStartTest {
  @RegisterExtension
  final StdCapture std = new StdCapture();

  /** A server whose start never finishes, as on a disk that stopped answering. */
  static final class NeverStarts extends VerticleBase {
    @Override
    public Future<?> start() {
      return Promise.promise().future();
    }
  }

  /** A server whose start fails with an exception that has no message. */
  static final class FailsWithoutMessage extends VerticleBase {
    @Override
    public Future<?> start() {
      return Future.failedFuture(new NullPointerException());
    }
  }

  @Test
  void aStartUpTimeoutNamesWhatTimedOutAndWhatToDo() {
    boolean started = ServerStart.deploy("node", Vertx.vertx(), new NeverStarts(), 1,
        () -> "opening the ledger database in data_dir", "check that data_dir's disk answers, then start again");
    assertThat(started).isFalse();
    assertThat(std.err()).isEqualTo("kinmesh node: cannot start: timed out after 1 s while opening the ledger database "
        + "in data_dir; check that data_dir's disk answers, then start again\n");
  }

  @Test
  void aFailureWithoutAMessageNamesItsTypeNotNull() {
    boolean started = ServerStart.deploy("relay", Vertx.vertx(), new FailsWithoutMessage(), 30,
        () -> "binding listen_addr", "unused");
    assertThat(started).isFalse();
    assertThat(std.err()).startsWith("kinmesh relay: cannot start: java.lang.NullPointerException (no message")
        .contains("(while binding listen_addr)").doesNotContain(": null");
  }

  @Test
  void aFailureWithAMessageKeepsItAndSaysTheStep() {
    assertThat(ServerStart.message("node", new IllegalStateException("cannot listen on TCP port 7070"), 60,
        "binding the API (api_listen)", "unused"))
        .isEqualTo("kinmesh node: cannot start: cannot listen on TCP port 7070 (while binding the API (api_listen))");
    assertThat(ServerStart.describe(new RuntimeException(new java.io.IOException("disk full"))))
        .isEqualTo("java.io.IOException: disk full");
  }
}
