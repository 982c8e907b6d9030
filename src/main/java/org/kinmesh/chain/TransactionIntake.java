package org.kinmesh.chain;

import java.util.function.Supplier;
import org.kinmesh.util.TimeSource;

/**
 * The one door for new transactions (admin API, POST /transactions, the event bus): validate
 * against the current governance state, then queue in the mempool. Pure apart from the clock;
 * single-owner like the mempool it fills.
 */
public final class TransactionIntake {
  /** Accepted (queued, with the validation code) or refused with the reason. */
  public record Outcome(Kind kind, String hash, ValidationResult result) {
    public enum Kind { QUEUED, INVALID, MEMPOOL_FULL }

    public boolean queued() {
      return kind == Kind.QUEUED;
    }
  }

  private final Supplier<GovernanceState> state;
  private final Mempool mempool;
  private final TimeSource clock;
  private final SignatureCheck signatures;
  private GovernanceState advancedFrom;
  private long advancedTo;
  private GovernanceState advanced;

  public TransactionIntake(Supplier<GovernanceState> state, Mempool mempool, TimeSource clock) {
    this(state, mempool, clock, SignatureCheck.ALWAYS);
  }

  /** {@code signatures}: a {@link SignatureCache} shared with block validation, so each tx is verified once. */
  public TransactionIntake(Supplier<GovernanceState> state, Mempool mempool, TimeSource clock,
      SignatureCheck signatures) {
    this.state = state;
    this.mempool = mempool;
    this.clock = clock;
    this.signatures = signatures;
  }

  public Outcome submit(Transaction tx) {
    GovernanceState s = state.get();
    long t = Math.max(clock.nowSeconds(), s.time());
    if (s != advancedFrom || t != advancedTo) {
      // One sweep per (state, second), not one per transaction: a burst of submissions shares it.
      advanced = Ledger.advance(s, t);
      advancedFrom = s;
      advancedTo = t;
    }
    ValidationResult r = TxValidator.validate(advanced, tx, t, signatures);
    if (!r.accepted()) {
      return new Outcome(Outcome.Kind.INVALID, tx.hash(), r);
    }
    return switch (mempool.add(tx, clock.nowMillis())) {
      case ADDED -> new Outcome(Outcome.Kind.QUEUED, tx.hash(), r);
      case DUPLICATE -> new Outcome(Outcome.Kind.INVALID, tx.hash(),
          ValidationResult.of(ValidationResult.Code.DUPLICATE, "transaction is already pending"));
      case NONCE_TAKEN -> new Outcome(Outcome.Kind.INVALID, tx.hash(),
          ValidationResult.of(ValidationResult.Code.DUPLICATE, "a pending transaction already uses that nonce"));
      case FULL -> new Outcome(Outcome.Kind.MEMPOOL_FULL, tx.hash(),
          ValidationResult.of(ValidationResult.Code.CONFLICT, "too many pending transactions; retry later"));
    };
  }

  public Mempool mempool() {
    return mempool;
  }
}
