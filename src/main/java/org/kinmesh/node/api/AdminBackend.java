package org.kinmesh.node.api;

import io.vertx.core.Future;
import java.util.List;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;

/** What the admin API needs from the node: governance state, the audit log, a way to submit. */
public interface AdminBackend {
  Future<GovernanceState> state();

  /** Audit entries about one key, or all when target is null. */
  Future<List<AuditEntry>> audit(String target);

  Future<TransactionIntake.Outcome> submit(Transaction tx);
}
