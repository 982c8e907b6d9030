package org.kinmesh.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running process inside a lab namespace. Its stdout is read line by line on a daemon
 * thread (so tests can wait for "listening on ..." without polling); stderr goes to a file.
 */
public final class LabProcess implements AutoCloseable {
  private static final String EOF = new String("<eof>");

  private final String description;
  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  LabProcess(String description, Process process, Path stderr) {
    this.description = description;
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException closed) {
        // process killed
      } finally {
        lines.add(EOF);
      }
    }, "natlab-out-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the next stdout line matching {@code wanted}; fails on timeout or when the process ends first. */
  public String awaitLine(Predicate<String> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = next(deadline, "no matching line within " + timeout.toSeconds() + " s");
      if (line == EOF) {
        throw new AssertionError(description + ": ended (exit " + exitCode() + ") before a matching line; stdout "
            + output() + "; stderr " + stderr());
      }
      if (wanted.test(line)) {
        return line;
      }
    }
  }

  /** Waits for the process to close its stdout (normally: exit) and returns every stdout line. */
  public List<String> awaitOutput(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (next(deadline, "still running after " + timeout.toSeconds() + " s") != EOF) {
      // every line is kept in seen
    }
    return output();
  }

  /**
   * The next stdout line, kept in {@link #output}, or {@link #EOF} (left in the queue, so every
   * later call sees it too); fails saying {@code late} when the deadline passes first.
   */
  private String next(long deadline, String late) {
    try {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(description + ": " + late + "; stdout " + output() + "; stderr " + stderr());
      }
      if (line == EOF) {
        lines.add(EOF);
        return EOF;
      }
      synchronized (seen) {
        seen.add(line);
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The stdout lines consumed so far by {@link #awaitLine}. */
  public List<String> output() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  public String stderr() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Writes a line to the process's stdin. */
  public void send(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new IllegalStateException(description + ": stdin closed: " + e.getMessage(), e);
    }
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(description + ": still running after " + timeout.toSeconds() + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private String exitCode() {
    return process.isAlive() ? "none yet" : Integer.toString(process.exitValue());
  }

  /** SIGTERM to the process and its children, SIGKILL after 5 s. */
  @Override
  public void close() {
    List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
    family.add(process.toHandle());
    family.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : family) {
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  @Override
  public String toString() {
    return description + " (pid " + process.pid() + ")";
  }
}
