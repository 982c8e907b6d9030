package org.kinmesh.gossip;

import java.util.Locale;

/** What the links found when they last used an endpoint. */
public enum Reachability {
  UNKNOWN, YES, NO;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
