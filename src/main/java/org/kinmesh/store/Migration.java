package org.kinmesh.store;

import java.util.List;

/** One versioned schema step: portable DDL statements applied in one transaction. */
public record Migration(int version, String description, List<String> statements) {
  public Migration {
    statements = List.copyOf(statements);
  }
}
