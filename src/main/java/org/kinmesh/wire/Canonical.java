package org.kinmesh.wire;

import java.nio.charset.StandardCharsets;

/** Builds the canonical message M = TAG "\n" field1 ... "\n" fieldN of PROTOCOL.md §1. */
public final class Canonical {
  private Canonical() {}

  public static byte[] message(MessageTag tag, Object... fields) {
    StringBuilder sb = new StringBuilder(64 + fields.length * 66);
    sb.append(tag.wireTag());
    for (Object field : fields) {
      sb.append('\n').append(format(field));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String format(Object field) {
    if (field instanceof Long || field instanceof Integer) {
      long v = ((Number) field).longValue();
      if (v < 0) {
        throw new IllegalArgumentException("canonical integers have no sign: " + v);
      }
      return Long.toString(v);
    }
    if (field instanceof String s) {
      if (s.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("canonical fields cannot hold a newline");
      }
      return s;
    }
    throw new IllegalArgumentException("unsupported canonical field type: " + field);
  }
}
