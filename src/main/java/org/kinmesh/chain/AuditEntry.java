package org.kinmesh.chain;

/**
 * One governance event: who (a key, or "system" for rule-driven changes), when (block
 * timestamp and height), what, to whom, and why. txHash is "" for rule-driven events.
 */
public record AuditEntry(long height, int seq, long timestamp, String txHash, String actor, String action,
    String target, String reason) {
  public static final String SYSTEM_ACTOR = "system";
}
