package org.kinmesh.punch;

import java.util.Set;

/**
 * Whether a parsed probe or reply may be acted on (pure): for this blockchain, addressed to
 * us, from another authorized key, fresh, and signed. The signature is checked last, so junk
 * costs no Ed25519 work. Each failure has a reason, counted by the Punch verticle.
 */
public final class ProbeCheck {
  public static final long FRESHNESS_SECS = 300;

  public enum Verdict {
    OK, WRONG_BLOCKCHAIN, NOT_FOR_US, SELF, UNAUTHORIZED, STALE, INVALID_SIGNATURE,
    /** Signed, authorized, but another genesis of our blockchain id: another chain (issue 12.5). */
    GENESIS_MISMATCH
  }

  private final String blockchainId;
  private final String genesis;
  private final String self;

  public ProbeCheck(String blockchainId, String genesis, String self) {
    this.blockchainId = blockchainId;
    this.genesis = genesis;
    this.self = self;
  }

  public Verdict check(Probe p, Set<String> authorized, long nowSecs) {
    if (!blockchainId.equals(p.blockchainId())) {
      return Verdict.WRONG_BLOCKCHAIN;
    }
    if (!self.equals(p.to())) {
      return Verdict.NOT_FOR_US;
    }
    if (self.equals(p.from())) {
      return Verdict.SELF;
    }
    if (!authorized.contains(p.from())) {
      return Verdict.UNAUTHORIZED;
    }
    if (Math.abs(nowSecs - p.ts()) > FRESHNESS_SECS) {
      return Verdict.STALE;
    }
    if (!p.signatureValid()) {
      return Verdict.INVALID_SIGNATURE;
    }
    return genesis.equals(p.genesis()) ? Verdict.OK : Verdict.GENESIS_MISMATCH;
  }
}
