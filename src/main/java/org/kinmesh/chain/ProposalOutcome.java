package org.kinmesh.chain;

/** How a proposal closed; kept so a late approval gets a precise answer. */
public enum ProposalOutcome {
  EXECUTED, EXPIRED, CONFIRMED, REVERTED, CANCELLED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
