package org.kinmesh.chain;

/** A proposal that no longer waits, with how it ended; kept for audit and for late approvals. */
public record ClosedProposal(Proposal proposal, ProposalOutcome outcome) {}
