package org.kinmesh.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Adds {@code "genesis_timestamp": N} to a genesis spec that has none, keeping the user's text
 * as it is: the field goes in just before the closing brace. The file is replaced atomically, so
 * a crash leaves the old spec or the new one, never half of one.
 */
final class SpecStamp {
  private SpecStamp() {}

  /** {@code utf8} is the spec as read and parsed (a JSON object with at least one field). */
  static void write(Path spec, byte[] utf8, long timestamp) throws IOException {
    Files.writeString(temp(spec), stamped(new String(utf8, StandardCharsets.UTF_8), timestamp));
    Files.move(temp(spec), spec, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String stamped(String text, long timestamp) {
    int close = text.lastIndexOf('}');
    String head = text.substring(0, close).stripTrailing();
    // Keep the file's own layout: one field per line when it has lines.
    String sep = head.contains("\n") ? ",\n  " : ", ";
    String tail = head.contains("\n") ? "\n" : "";
    return head + sep + "\"genesis_timestamp\": " + timestamp + tail + text.substring(close);
  }

  private static Path temp(Path spec) {
    Path abs = spec.toAbsolutePath();
    return abs.resolveSibling(abs.getFileName() + ".tmp");
  }
}
