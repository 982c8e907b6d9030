package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12.4: one data_dir, one node; the lock is the OS's, so it dies with the process that held it. */
class DataDirLockTest {
  @TempDir
  Path dir;

  Process holder(Path dataDir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DataDirLockHolder.class.getName(), dataDir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("locked");
    return p;
  }

  @Test
  void aSecondProcessIsRefusedNamingTheDirectoryAndThePidAndACrashFreesTheLock() throws Exception {
    Path data = dir.resolve("data");
    Process other = holder(data);
    try {
      assertThatThrownBy(() -> DataDirLock.acquire(data)).isInstanceOf(DataDirLock.LockedException.class)
          .hasMessageContaining(data.toAbsolutePath().toString())
          .hasMessageContaining("pid " + other.pid())
          .hasMessageContaining("data_dir");
    } finally {
      other.destroyForcibly(); // SIGKILL: a crash, no shutdown hook, the lock file stays behind
      assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(data.resolve(DataDirLock.FILE)).trim()).isEqualTo(Long.toString(other.pid()));
    try (DataDirLock mine = DataDirLock.acquire(data)) {
      assertThat(Files.readString(data.resolve(DataDirLock.FILE)).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
  }

  @Test
  void aSecondLockInThisProcessIsRefusedClearlyAndClosingReleasesIt() throws Exception {
    Path data = dir.resolve("data");
    DataDirLock first = DataDirLock.acquire(data);
    assertThatThrownBy(() -> DataDirLock.acquire(data)).isInstanceOf(DataDirLock.LockedException.class)
        .hasMessageContaining(data.toAbsolutePath().toString())
        .hasMessageContaining("another node in this process (pid " + ProcessHandle.current().pid() + ")");
    first.close();
    DataDirLock.acquire(data).close();
  }
}
