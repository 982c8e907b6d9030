package org.kinmesh.crypto;

/** Loggable key prefixes: enough to tell keys apart, never key material beyond the public key. */
public final class KeyIds {
  private KeyIds() {}

  public static String shortId(String publicKeyHex) {
    if (publicKeyHex == null) {
      return "-";
    }
    return publicKeyHex.length() <= 8 ? publicKeyHex : publicKeyHex.substring(0, 8);
  }
}
