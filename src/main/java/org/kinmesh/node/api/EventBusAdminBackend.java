package org.kinmesh.node.api;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.chain.ValidationResult;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.node.LedgerVerticle;

/** The admin backend of a running node: asks the ledger verticle over the event bus. */
public final class EventBusAdminBackend implements AdminBackend {
  private final EventBus bus;
  private final NodeAddresses addresses;

  public EventBusAdminBackend(EventBus bus, NodeAddresses addresses) {
    this.bus = bus;
    this.addresses = addresses;
  }

  @Override
  public Future<GovernanceState> state() {
    return bus.<GovernanceState>request(addresses.ledger().state(), null).map(m -> m.body());
  }

  @Override
  public Future<List<AuditEntry>> audit(String target) {
    return bus.<LedgerVerticle.AuditEntries>request(addresses.ledger().audit(), new JsonObject().put("target", target))
        .map(m -> m.body().entries());
  }

  @Override
  public Future<TransactionIntake.Outcome> submit(Transaction tx) {
    // Passed typed: the admin route parsed it strictly once, the ledger does not parse it again.
    return bus.<JsonObject>request(addresses.api().chainSubmit(), tx)
        .map(m -> new TransactionIntake.Outcome(TransactionIntake.Outcome.Kind.QUEUED, tx.hash(),
            ValidationResult.of(code(m.body().getString("validation")), "queued")))
        .recover(err -> {
          if (err instanceof ReplyException re && re.failureCode() != -1 && re.getMessage() != null
              && re.getMessage().startsWith("{")) {
            JsonObject e = new JsonObject(re.getMessage());
            TransactionIntake.Outcome.Kind kind = re.failureCode() == LedgerVerticle.UNAVAILABLE
                ? TransactionIntake.Outcome.Kind.MEMPOOL_FULL : TransactionIntake.Outcome.Kind.INVALID;
            return Future.succeededFuture(new TransactionIntake.Outcome(kind, tx.hash(),
                ValidationResult.of(code(e.getString("error")), e.getString("message"))));
          }
          return Future.failedFuture(err);
        });
  }

  private static ValidationResult.Code code(String wire) {
    try {
      return ValidationResult.Code.valueOf(wire.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      return ValidationResult.Code.CONFLICT;
    }
  }
}
