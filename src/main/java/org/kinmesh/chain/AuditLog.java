package org.kinmesh.chain;

import java.util.ArrayList;
import java.util.List;

/** Collects the audit entries of one block, numbered in order. */
final class AuditLog {
  private final long height;
  private final long time;
  private final List<AuditEntry> entries = new ArrayList<>();

  AuditLog(long height, long time) {
    this.height = height;
    this.time = time;
  }

  void add(String txHash, String actor, String action, String target, String reason) {
    entries.add(new AuditEntry(height, entries.size(), time, txHash, actor, action, target, reason));
  }

  void system(String action, String target, String reason) {
    add("", AuditEntry.SYSTEM_ACTOR, action, target, reason);
  }

  List<AuditEntry> entries() {
    return List.copyOf(entries);
  }
}
