package org.kinmesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A relay or node that `kinmesh demo` started stops when the demo dies, even by SIGKILL, which no
 * JVM can catch. The demo holds the write end of the child's stdin pipe; the kernel closes it when
 * the demo dies however it dies, so the child reads end-of-file and exits through its shutdown
 * hooks (databases closed). Only children started with {@link #ENV}=1 watch: a relay or node a user
 * runs from a shell must not stop on a closed stdin (`kinmesh relay &`, systemd).
 */
final class ParentWatch {
  static final String ENV = "KINMESH_EXIT_ON_STDIN_EOF";

  private ParentWatch() {}

  /** Starts the watch when {@code env} asks for it; {@code exit} runs once {@code in} ends. */
  static boolean startIfAsked(Map<String, String> env, InputStream in, Runnable exit) {
    if (!"1".equals(env.get(ENV))) {
      return false;
    }
    Thread watch = new Thread(() -> {
      try {
        while (in.read() >= 0) {
          // the demo never writes; anything read is ignored
        }
      } catch (IOException e) {
        // a broken pipe means the same: the parent is gone
      }
      System.err.println("kinmesh: stdin closed: the kinmesh demo that started this process is gone; stopping");
      exit.run();
    }, "kinmesh-parent-watch");
    watch.setDaemon(true);
    watch.start();
    return true;
  }
}
