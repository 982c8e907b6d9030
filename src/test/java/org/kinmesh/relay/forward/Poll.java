package org.kinmesh.relay.forward;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.kinmesh.testing.Await;

/**
 * Waits for a condition that no event announces (a counter on the relay, a socket the relay
 * closed): checks it on a Vert.x timer every few milliseconds, fails after 20 s.
 */
final class Poll {
  private Poll() {}

  static void until(Vertx vertx, String what, BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + 20_000_000_000L;
    long timer = vertx.setPeriodic(5, id -> {
      try {
        if (condition.getAsBoolean()) {
          done.tryComplete();
        } else if (System.nanoTime() > deadline) {
          done.tryFail("not within 20 s: " + what);
        }
      } catch (Throwable t) {
        done.tryFail(t);
      }
    });
    try {
      Await.result(done.future());
    } finally {
      vertx.cancelTimer(timer);
    }
  }
}
