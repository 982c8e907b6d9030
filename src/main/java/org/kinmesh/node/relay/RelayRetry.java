package org.kinmesh.node.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.kinmesh.net.RetryPolicy;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.util.Jitter;

/**
 * Runs one relay operation under a RetryPolicy: 5xx, 429 and network errors are tried again
 * after the policy's backoff (with 10% jitter), 4xx never. The result is the last answer, or
 * the last network error when no try got an answer.
 */
final class RelayRetry {
  private RelayRetry() {}

  static Future<RelayAnswer> run(Vertx vertx, RetryPolicy policy, Supplier<Future<RelayAnswer>> attempt) {
    Promise<RelayAnswer> result = Promise.promise();
    tryOnce(vertx, policy, attempt, 1, result);
    return result.future();
  }

  private static void tryOnce(Vertx vertx, RetryPolicy policy, Supplier<Future<RelayAnswer>> attempt, int tries,
      Promise<RelayAnswer> result) {
    attempt.get().onComplete(ar -> {
      int status = ar.succeeded() ? ar.result().status() : 0;
      if (!policy.mayRetry(tries, status) || (ar.succeeded() && ar.result().ok())) {
        if (ar.succeeded()) {
          result.complete(ar.result());
        } else {
          result.fail(ar.cause());
        }
        return;
      }
      long delay = Jitter.around(policy.backoff().delayMillis(tries), 0.1);
      vertx.setTimer(delay, id -> tryOnce(vertx, policy, attempt, tries + 1, result));
    });
  }
}
