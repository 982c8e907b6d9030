package org.kinmesh.gossip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where the table learned an endpoint; an endpoint keeps a bit mask of every source that vouched for it. */
public enum Source {
  /** a verified announce (pushed or in a delta) */
  GOSSIP,
  /** the persistent cache, loaded at start-up */
  CACHE,
  /** a relay lookup that the links used successfully */
  RELAY,
  /** the node's own STUN view (own endpoints only) */
  STUN,
  /** configured locally (gossip.seeds) or observed on a local connection */
  LOCAL;

  public int bit() {
    return 1 << ordinal();
  }

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static boolean has(int mask, Source s) {
    return (mask & s.bit()) != 0;
  }

  /** "gossip,relay": the mask as stored in peers.db and shown in status. */
  public static String format(int mask) {
    List<String> names = new ArrayList<>();
    for (Source s : values()) {
      if (has(mask, s)) {
        names.add(s.text());
      }
    }
    return String.join(",", names);
  }

  /** The inverse of {@link #format}; unknown names are ignored (a newer version may add some). */
  public static int parse(String text) {
    int mask = 0;
    if (text == null) {
      return 0;
    }
    for (String part : text.split(",")) {
      for (Source s : values()) {
        if (s.text().equals(part.trim())) {
          mask |= s.bit();
        }
      }
    }
    return mask;
  }

  public static Source fromText(String text) {
    for (Source s : values()) {
      if (s.text().equals(text)) {
        return s;
      }
    }
    return null;
  }
}
