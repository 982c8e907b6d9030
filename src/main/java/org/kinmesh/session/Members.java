package org.kinmesh.session;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.kinmesh.crypto.Ed25519ToX25519;
import org.kinmesh.crypto.Hex;

/**
 * The authorized set: the chain's active members, by Ed25519 identity, with the X25519 session
 * key of each (the birational map). Immutable; a membership change builds a new one, and the
 * caller closes the sessions of keys no longer in it.
 */
public final class Members {
  private final Map<String, String> identityByX25519 = new HashMap<>();
  private final Map<String, byte[]> x25519ByIdentity = new HashMap<>();

  private Members() {}

  /** From lowercase hex Ed25519 public keys; an invalid key is an error naming it. */
  public static Members of(Collection<String> ed25519PublicKeysHex) {
    Members m = new Members();
    for (String id : ed25519PublicKeysHex) {
      if (!Hex.isLowerHex(id, 32)) {
        throw new IllegalArgumentException("member key '" + id + "' is not 64 lowercase hex characters");
      }
      byte[] x;
      try {
        x = Ed25519ToX25519.publicKey(Hex.decode(id));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("member key " + id + ": " + e.getMessage());
      }
      m.identityByX25519.put(Hex.encode(x), id);
      m.x25519ByIdentity.put(id, x);
    }
    return m;
  }

  /** The member whose session key this is, if any. */
  public Optional<String> identityOf(byte[] x25519PublicKey) {
    return Optional.ofNullable(identityByX25519.get(Hex.encode(x25519PublicKey)));
  }

  /** A member's X25519 session key, if it is a member. */
  public Optional<byte[]> sessionKeyOf(String ed25519PublicKeyHex) {
    byte[] x = x25519ByIdentity.get(ed25519PublicKeyHex);
    return x == null ? Optional.empty() : Optional.of(x.clone());
  }

  public boolean contains(String ed25519PublicKeyHex) {
    return x25519ByIdentity.containsKey(ed25519PublicKeyHex);
  }

  public int size() {
    return x25519ByIdentity.size();
  }
}
