package org.kinmesh.node;

import java.util.Locale;

/**
 * What a node did since its last summary line (issue 17): blocks (and how many were empty),
 * transactions, view changes, peers coming up or going down and paths moving. An idle node logs
 * this one line every few minutes instead of one line per empty block. Pure: the caller feeds it
 * and says when; {@link #line} reads the counts and starts the next period.
 */
public final class ActivitySummary {
  private long since;
  private long blocks;
  private long empty;
  private long txs;
  private long viewChanges;
  private long peersUp;
  private long peersDown;
  private long pathChanges;

  /** @param nowMillis when the first period starts (any monotonic clock, the same for {@link #line}) */
  public ActivitySummary(long nowMillis) {
    this.since = nowMillis;
  }

  /** A block this node committed, with its transaction count. */
  public void committed(int txCount) {
    if (txCount < 0) {
      throw new IllegalArgumentException("a block has 0 or more transactions, not " + txCount);
    }
    blocks++;
    txs += txCount;
    if (txCount == 0) {
      empty++;
    }
  }

  public void viewChanged() {
    viewChanges++;
  }

  /**
   * A PEERS_EVENTS event: "up" (a peer became reachable; the "up" Links repeats after a path
   * change carries a reason and is not counted again), "down", "path" (traffic moved).
   */
  public void peerEvent(String event, String reason) {
    if (event == null) {
      return;
    }
    switch (event) {
      case "up" -> {
        if (reason == null) {
          peersUp++;
        }
      }
      case "down" -> peersDown++;
      case "path" -> pathChanges++;
      default -> { } // state, equivocation: not activity this line reports
    }
  }

  /**
   * The summary of the period that ends now, with the node's standing at this moment, and the
   * start of the next period (counts back to zero).
   *
   * @param linked peers whose link is up now
   * @param peers  the other consensus members
   */
  public String line(long nowMillis, long height, String quorumMode, int linked, int peers) {
    String out = String.format(Locale.ROOT,
        "op=summary last=%s height=%d blocks=%d empty=%d txs=%d view_changes=%d quorum=%s linked=%d/%d"
            + " peers_up=%d peers_down=%d path_changes=%d",
        duration(Math.max(0, nowMillis - since)), height, blocks, empty, txs, viewChanges, quorumMode, linked, peers,
        peersUp, peersDown, pathChanges);
    since = nowMillis;
    blocks = empty = txs = viewChanges = peersUp = peersDown = pathChanges = 0;
    return out;
  }

  /** 10m00s, 1h02m03s, 45s: what a person reads at a glance. */
  static String duration(long millis) {
    long s = millis / 1000;
    long h = s / 3600;
    long m = s % 3600 / 60;
    long sec = s % 60;
    if (h > 0) {
      return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, sec);
    }
    return m > 0 ? String.format(Locale.ROOT, "%dm%02ds", m, sec) : sec + "s";
  }
}
