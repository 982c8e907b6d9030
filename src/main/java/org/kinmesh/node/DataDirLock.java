package org.kinmesh.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One node per data_dir (issue 12.4): two processes on one directory would sign with one key and
 * fight over one database. The lock is the OS's (FileChannel.tryLock), so it dies with the process
 * that held it: a lock file left by a crash is stale and taken over. The file holds the holder's PID
 * for the refusal message. A JVM tracks its own locks, so a second node in this process is refused too.
 */
public final class DataDirLock implements AutoCloseable {
  public static final String FILE = "kinmesh.lock";
  /** The locked byte lies past the PID text, so other processes can still read the PID (Windows locks are mandatory). */
  private static final long LOCKED_BYTE = 1L << 20;

  /** The directory is in use; the message names it and who holds it. */
  public static final class LockedException extends IOException {
    LockedException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static DataDirLock acquire(Path dataDir) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock(LOCKED_BYTE, 1, false);
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new LockedException("data_dir " + dir + " is in use by another node in this process (pid "
          + ProcessHandle.current().pid() + "); give each node its own data_dir");
    } catch (IOException e) {
      channel.close();
      throw new IOException("data_dir " + dir + ": cannot lock " + file + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      String holder = readPid(file);
      channel.close();
      throw new LockedException("data_dir " + dir + " is in use by another kinmesh process (pid " + holder
          + "); stop that process first, or give this node its own data_dir");
    }
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(false);
    } catch (IOException e) {
      lock.release();
      channel.close();
      throw e;
    }
    return new DataDirLock(channel, lock);
  }

  private static String readPid(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return text.matches("[0-9]{1,19}") ? text : "unknown";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Releases the lock; the file stays (a later start rewrites it). */
  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }
}
