package org.kinmesh.store;

import java.nio.file.Path;

/**
 * Whether a database's writes go through, for /health, /status and the logs: the first failure
 * and the count since, what it was (a full disk or something else), and the wait before the next
 * retry (doubling from {@link #FIRST_RETRY_MS} to {@link #MAX_RETRY_MS}). Pure: the caller says
 * when a write failed or succeeded. Thread-safe, as the HTTP side reads it from other threads.
 */
public final class WriteHealth {
  public static final long FIRST_RETRY_MS = 250;
  public static final long MAX_RETRY_MS = 4_000;

  /** What /health and /status show. {@code reason} is "disk_full" or "write_failed" when not ok. */
  public record Status(boolean ok, String reason, String message, long failingSinceMs, long writeFailures,
      long recoveries) {}

  private final Path file;
  private final String meanwhile;
  private Status status = new Status(true, null, null, 0, 0, 0);
  private int attempt;

  /**
   * @param file the database file (its directory is where space must be freed)
   * @param meanwhile what happens until writes go through again, for the message
   */
  public WriteHealth(Path file, String meanwhile) {
    this.file = file.toAbsolutePath();
    this.meanwhile = meanwhile;
  }

  /** Records a failed write; returns the delay before retrying it. */
  public synchronized long failed(Throwable e, long nowMs) {
    boolean full = Database.isDiskFull(e);
    String where = file.getParent() == null ? file.toString() : file.getParent().toString();
    String message = full
        ? "the disk is full: free space at " + where + " (" + file.getFileName() + " cannot grow); " + meanwhile
        : "writing " + file + " failed: " + e.getMessage() + "; " + meanwhile;
    long since = status.ok() ? nowMs : status.failingSinceMs();
    status = new Status(false, full ? "disk_full" : "write_failed", message, since, status.writeFailures() + 1,
        status.recoveries());
    long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt, 16));
    attempt++;
    return delay;
  }

  /** Records a write that went through; true when it ends a failing spell. */
  public synchronized boolean succeeded() {
    attempt = 0;
    if (status.ok()) {
      return false;
    }
    status = new Status(true, null, null, 0, status.writeFailures(), status.recoveries() + 1);
    return true;
  }

  public synchronized Status status() {
    return status;
  }

  /** How many failed attempts in a row (the first is 1). */
  public synchronized int failuresInARow() {
    return attempt;
  }
}
