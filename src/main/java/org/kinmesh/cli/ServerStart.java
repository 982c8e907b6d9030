package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Starting a long-running server (relay, node): waits for its verticle to deploy and, when it does
 * not, prints one line that says what failed or timed out and what to do (never "null": a start-up
 * timeout carries no message of its own).
 */
final class ServerStart {
  private ServerStart() {}

  /**
   * Deploys {@code verticle}, waiting up to {@code timeoutSecs}; {@code step} says what it was
   * doing (read when it fails), {@code advice} what to do after a timeout. On failure prints the
   * reason to stderr, closes Vert.x and returns false.
   */
  static boolean deploy(String command, Vertx vertx, VerticleBase verticle, long timeoutSecs, Supplier<String> step,
      String advice) {
    try {
      Cli.await(vertx.deployVerticle(verticle), timeoutSecs);
      return true;
    } catch (TimeoutException e) {
      System.err.println(message(command, null, timeoutSecs, step.get(), advice));
    } catch (ExecutionException e) {
      System.err.println(message(command, e.getCause() == null ? e : e.getCause(), timeoutSecs, step.get(), advice));
    }
    Cli.close(vertx);
    return false;
  }

  /** The line printed for a failed start; {@code cause} null means it timed out. */
  static String message(String command, Throwable cause, long timeoutSecs, String step, String advice) {
    if (cause == null) {
      return "kinmesh " + command + ": cannot start: timed out after " + timeoutSecs + " s while " + step + "; "
          + advice;
    }
    return "kinmesh " + command + ": cannot start: " + describe(cause) + " (while " + step + ")";
  }

  /** A throwable's message; for one without, its type and the first message in its causes. */
  static String describe(Throwable t) {
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      return t.getMessage();
    }
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + c.getMessage();
      }
    }
    return t.getClass().getName() + " (no message; the log above has its stack trace)";
  }
}
