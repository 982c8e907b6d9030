package org.kinmesh.node.link;

/** A peer link's state as PEERS_STATUS reports it. */
public enum PeerState {
  CONNECTED("connected"),
  CONNECTING("connecting"),
  BACKOFF("backoff"),
  UNREACHABLE("unreachable");

  private final String text;

  PeerState(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
