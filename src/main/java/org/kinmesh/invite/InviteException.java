package org.kinmesh.invite;

/** An invite code that cannot be used; the message says why and what to do. */
public final class InviteException extends Exception {
  public InviteException(String message) {
    super(message);
  }
}
