package org.kinmesh.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a test directory, to fill a real file system for disk-full tests.
 * Needs root (mount(8)); {@link #mount} skips the test with a message saying so otherwise.
 * {@link #fill} writes a filler file until the file system refuses more; {@link #free} deletes it.
 */
public final class SmallTmpfs implements AutoCloseable {
  private final Path dir;
  private final Path filler;

  private SmallTmpfs(Path dir) {
    this.dir = dir;
    this.filler = dir.resolve("filler");
  }

  /** Mounts a tmpfs of {@code sizeKib} KiB on {@code dir} (created if missing). */
  public static SmallTmpfs mount(Path dir, int sizeKib) throws IOException, InterruptedException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to mount a small tmpfs (mount -t tmpfs); run the tests as root, e.g. bin/test");
    Files.createDirectories(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + sizeKib + "k,mode=0700", "tmpfs", dir.toString());
    return new SmallTmpfs(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Writes the filler until the file system is full (ENOSPC); returns the bytes written. */
  public long fill() throws IOException {
    long written = 0;
    byte[] chunk = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int size = chunk.length; size > 0; size /= 2) {
        try {
          while (true) {
            out.write(chunk, 0, size);
            out.flush();
            written += size;
          }
        } catch (IOException full) {
          // No room for this size; try smaller pieces until not even one byte fits.
        }
      }
    } catch (IOException closing) {
      // close may fail to flush the last piece on a full file system; the file stays
    }
    return written;
  }

  /** Deletes the filler: the space is back. */
  public void free() throws IOException {
    Files.deleteIfExists(filler);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("umount", "-l", dir.toString());
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
    }
  }
}
