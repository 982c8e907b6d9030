package org.kinmesh.node.api;

import io.vertx.core.Future;
import java.util.List;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.LedgerStore;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;

/**
 * The admin backend over a ledger store and the node's transaction intake, for a caller on
 * the context that owns both (the node wires it to its ledger verticle).
 */
public final class LedgerAdminBackend implements AdminBackend {
  private final LedgerStore store;
  private final TransactionIntake intake;

  public LedgerAdminBackend(LedgerStore store, TransactionIntake intake) {
    this.store = store;
    this.intake = intake;
  }

  @Override
  public Future<GovernanceState> state() {
    return Future.succeededFuture(store.state());
  }

  @Override
  public Future<List<AuditEntry>> audit(String target) {
    return target == null ? store.auditAll() : store.auditFor(target);
  }

  @Override
  public Future<TransactionIntake.Outcome> submit(Transaction tx) {
    return Future.succeededFuture(intake.submit(tx));
  }
}
