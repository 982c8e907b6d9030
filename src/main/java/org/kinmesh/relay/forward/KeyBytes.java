package org.kinmesh.relay.forward;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.kinmesh.crypto.Hex;

/** A 32-byte public key as a map key, read straight from a frame header without going through hex. */
final class KeyBytes {
  private final byte[] bytes;
  private final int hash;

  private KeyBytes(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  static KeyBytes of(byte[] bytes) {
    return new KeyBytes(bytes.clone());
  }

  static KeyBytes fromHex(String hex) {
    return new KeyBytes(Hex.decode(hex));
  }

  /** The key at {@code offset} of a frame. */
  static KeyBytes read(Buffer frame, int offset) {
    return new KeyBytes(frame.getBytes(offset, offset + RelayFrame.KEY_BYTES));
  }

  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyBytes k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
