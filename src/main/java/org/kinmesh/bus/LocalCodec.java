package org.kinmesh.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable objects (governance state, blocks) between the node's own verticles by
 * reference. Local only: encoding for the wire is refused, so nothing leaks onto a cluster.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codec for {@code type} once per Vert.x instance. */
  public static synchronized <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another node in the same Vert.x registered it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type.getSimpleName() + " stays inside this process");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " stays inside this process");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "kinmesh-local-" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
