package org.kinmesh.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures System.out and System.err (UTF-8) for CLI tests. Registered with
 * {@code @RegisterExtension}, it captures for the whole of each test; {@link #during} captures one
 * call only, for tests whose fixtures print on other threads meanwhile (a node's logs). Tests run
 * one at a time here (no parallel execution), which swapping the global streams relies on.
 */
public final class StdCapture implements BeforeEachCallback, AfterEachCallback {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @Override
  public void beforeEach(ExtensionContext context) {
    start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stop();
  }

  /** Empties both buffers and captures {@code call} alone; returns its result. */
  public int during(IntSupplier call) {
    if (savedOut != null) {
      throw new IllegalStateException("already capturing");
    }
    clear();
    start();
    try {
      return call.getAsInt();
    } finally {
      stop();
    }
  }

  public String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  public String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  public void clear() {
    clearOut();
    clearErr();
  }

  public void clearOut() {
    out.reset();
  }

  public void clearErr() {
    err.reset();
  }

  private void start() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private void stop() {
    if (savedOut == null) {
      return;
    }
    System.out.flush();
    System.err.flush();
    System.setOut(savedOut);
    System.setErr(savedErr);
    savedOut = null;
    savedErr = null;
  }
}
