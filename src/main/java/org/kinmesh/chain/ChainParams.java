package org.kinmesh.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * Governance parameters fixed in the genesis block (and covered by its hash), so every node
 * computes the same thresholds and deadlines. Zero turns the time-lock or inactivity rule off.
 */
public record ChainParams(String blockchainId, int deauthThreshold, long timelockHours, long inactivityDays,
    long approvalWindowHours, long txMaxAgeSecs) {
  public static final long MAX_SUSPEND_TTL_SECS = 365L * 86_400;
  /** A transaction may be dated at most this far after the block that carries it. */
  public static final long MAX_FUTURE_SECS = 300;
  public static final int DEFAULT_DEAUTH_THRESHOLD = 2;
  public static final long DEFAULT_APPROVAL_WINDOW_HOURS = 72;
  public static final long DEFAULT_INACTIVITY_DAYS = 30;
  public static final long DEFAULT_TX_MAX_AGE_SECS = 86_400;

  public ChainParams {
    check(WireRules.isBlockchainId(blockchainId), "blockchain_id", "1-64 characters of [A-Za-z0-9._-]");
    check(deauthThreshold >= 1 && deauthThreshold <= 64, "deauth_threshold", "1-64");
    check(timelockHours >= 0 && timelockHours <= 24 * 365, "timelock_hours", "0-8760 (0 = off)");
    check(inactivityDays >= 0 && inactivityDays <= 3650, "inactivity_days", "0-3650 (0 = off)");
    check(approvalWindowHours >= 1 && approvalWindowHours <= 24 * 365, "approval_window_hours", "1-8760");
    check(txMaxAgeSecs >= 60 && txMaxAgeSecs <= 30L * 86_400, "tx_max_age_secs", "60-2592000");
  }

  public static ChainParams defaults(String blockchainId) {
    return new ChainParams(blockchainId, DEFAULT_DEAUTH_THRESHOLD, 0, DEFAULT_INACTIVITY_DAYS,
        DEFAULT_APPROVAL_WINDOW_HOURS, DEFAULT_TX_MAX_AGE_SECS);
  }

  public boolean timelockEnabled() {
    return timelockHours > 0;
  }

  public long timelockSecs() {
    return timelockHours * 3600;
  }

  public long approvalWindowSecs() {
    return approvalWindowHours * 3600;
  }

  public long inactivitySecs() {
    return inactivityDays * 86_400;
  }

  public String hash() {
    return Hex.encode(Ed25519.sha256(Canonical.message(MessageTag.CHAIN_PARAMS, blockchainId, deauthThreshold,
        timelockHours, inactivityDays, approvalWindowHours, txMaxAgeSecs)));
  }

  public void writeJson(ObjectNode o) {
    o.put("blockchain_id", blockchainId).put("deauth_threshold", deauthThreshold).put("timelock_hours", timelockHours)
        .put("inactivity_days", inactivityDays).put("approval_window_hours", approvalWindowHours)
        .put("tx_max_age_secs", txMaxAgeSecs);
  }

  /** Reads params; optional fields take their defaults. Errors name the field. */
  public static ChainParams fromJson(StrictJson j) throws WireException {
    String id = j.requireString("blockchain_id");
    int threshold = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
        optLong(j, "deauth_threshold", DEFAULT_DEAUTH_THRESHOLD)));
    long timelock = optLong(j, "timelock_hours", 0);
    long inactivity = optLong(j, "inactivity_days", DEFAULT_INACTIVITY_DAYS);
    long window = optLong(j, "approval_window_hours", DEFAULT_APPROVAL_WINDOW_HOURS);
    long maxAge = optLong(j, "tx_max_age_secs", DEFAULT_TX_MAX_AGE_SECS);
    return Payload.build(() -> new ChainParams(id, threshold, timelock, inactivity, window, maxAge));
  }

  private static long optLong(StrictJson j, String field, long dflt) throws WireException {
    return j.has(field) ? j.requireLong(field) : dflt;
  }

  private static void check(boolean ok, String field, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("field '" + field + "' must be " + rule);
    }
  }
}
