package org.kinmesh.testing;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects what is published on one event-bus address, so a test can wait for a message instead of sleeping. */
public final class Events implements AutoCloseable {
  private final BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
  private final MessageConsumer<JsonObject> consumer;

  public Events(Vertx vertx, String address) {
    consumer = vertx.eventBus().consumer(address, m -> queue.add(m.body()));
    Await.result(consumer.completion());
  }

  /** Collects bodies of another type (a record), each seen through {@code view} as a JsonObject. */
  @SuppressWarnings("unchecked")
  public <T> Events(Vertx vertx, String address, java.util.function.Function<T, JsonObject> view) {
    MessageConsumer<?> c = vertx.eventBus().<T>consumer(address, m -> queue.add(view.apply(m.body())));
    consumer = (MessageConsumer<JsonObject>) c;
    Await.result(consumer.completion());
  }

  /** The next message that matches, skipping the others; fails after 20 s. */
  public JsonObject next(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonObject m = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
        if (m == null) {
          throw new AssertionError("no matching message within 20 s");
        }
        if (match.test(m)) {
          return m;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public JsonObject next() {
    return next(m -> true);
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
