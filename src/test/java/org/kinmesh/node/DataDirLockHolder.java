package org.kinmesh.node;

import java.nio.file.Path;

/** A second process for DataDirLockTest: takes the lock on args[0], says so, and holds it until stdin closes. */
public final class DataDirLockHolder {
  private DataDirLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]))) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock until the parent closes our stdin (or kills us)
      }
    }
  }
}
