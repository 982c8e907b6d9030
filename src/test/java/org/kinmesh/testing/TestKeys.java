package org.kinmesh.testing;

import org.kinmesh.crypto.Identity;

/** Deterministic identities for tests: seed i gives the same key every run. */
public final class TestKeys {
  private TestKeys() {}

  public static Identity key(int i) {
    byte[] seed = new byte[32];
    seed[0] = (byte) 0x6b;
    seed[28] = (byte) (i >>> 24);
    seed[29] = (byte) (i >>> 16);
    seed[30] = (byte) (i >>> 8);
    seed[31] = (byte) i;
    return Identity.fromSeed(seed);
  }
}
