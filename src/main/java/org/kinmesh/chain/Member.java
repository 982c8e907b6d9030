package org.kinmesh.chain;

/** A family member on chain. */
public record Member(String pubkey, String displayName, Role role, long addedAt) {
  public boolean guardian() {
    return role == Role.GUARDIAN;
  }
}
