package org.kinmesh.consensus.pbft;

import java.util.List;
import java.util.TreeMap;

/**
 * Fetching missed blocks. Someone is one block ahead: wait one retry interval (the missing votes
 * are often just late), unless a certificate proves it; two or more: fetch at once. Then fetch in batches until caught up, the next batch as soon as one arrives, and
 * another key after a silence. Fetched blocks wait here until they are the next height.
 */
final class CatchUp {
  private final PbftConfig config;
  private final EnvelopeSigner sign;
  private final TreeMap<Long, Envelope.Block> fetched = new TreeMap<>();
  private String from;
  private long upTo;
  private boolean timerArmed;
  private long requestedTo;

  CatchUp(PbftConfig config, EnvelopeSigner sign) {
    this.config = config;
    this.sign = sign;
  }

  /** {@code sender} has committed at least {@code height}. */
  void hint(String sender, long height, long committed, long view, List<Action> out) {
    hint(sender, height, committed, view, false, out);
  }

  /**
   * As {@link #hint}, from a commit certificate of {@code height} (a view change carries one): no
   * late vote will settle it here, so even one block behind fetch at once.
   */
  void hintCertified(String sender, long height, long committed, long view, List<Action> out) {
    hint(sender, height, committed, view, true, out);
  }

  private void hint(String sender, long height, long committed, long view, boolean certified, List<Action> out) {
    if (height <= committed || sign.publicKey().equals(sender)) {
      return;
    }
    if (height > upTo) {
      upTo = height;
      from = sender;
    }
    if (requestedTo > 0) {
      return; // a fetch is out: its answer, or its retry timer, moves on
    }
    if (upTo >= committed + 2 || certified) {
      // Two or more blocks behind: no late vote will bring those, fetch now (a node that starts
      // after the others, or returns, catches up without waiting a retry interval first) — also
      // when the one-block wait below is already running: the chain moved on meanwhile.
      send(committed, view, List.of(), out);
      return;
    }
    if (timerArmed) {
      return;
    }
    timerArmed = true;
    out.add(new Action.StartTimer(new TimerId(TimerId.Kind.FETCH, view, committed + 1), config.fetchRetryMs()));
  }

  void timerFired(long committed, long view, List<String> keys, List<Action> out) {
    timerArmed = false;
    if (upTo > committed) {
      send(committed, view, keys, out);
    }
  }

  /** After each commit: ask for the next batch as soon as the last one is in. */
  void committed(long height, long view, List<String> keys, List<Action> out) {
    fetched.headMap(height, true).clear();
    if (requestedTo > 0 && height >= requestedTo) {
      requestedTo = 0;
      if (upTo > height) {
        send(height, view, keys, out);
      }
    }
  }

  /** Keeps a block that arrived for a later height; the first copy wins. */
  void offer(Envelope.Block b) {
    fetched.putIfAbsent(b.height(), b);
  }

  Envelope.Block take(long height) {
    return fetched.remove(height);
  }

  private void send(long committed, long view, List<String> keys, List<Action> out) {
    long first = committed + 1;
    long last = Math.min(upTo, committed + config.fetchBatch());
    out.add(new Action.Send(from, sign.fetch(view, first, last)));
    requestedTo = last;
    timerArmed = true;
    out.add(new Action.StartTimer(new TimerId(TimerId.Kind.FETCH, view, first), config.fetchRetryMs()));
    // The retry goes to the next key, in case this one is down or lying.
    int i = keys.indexOf(from);
    for (int k = 1; k <= keys.size(); k++) {
      String next = keys.get(Math.floorMod(i + k, keys.size()));
      if (!next.equals(sign.publicKey())) {
        from = next;
        return;
      }
    }
  }
}
