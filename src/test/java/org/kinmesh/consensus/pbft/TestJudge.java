package org.kinmesh.consensus.pbft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;

/** A test host's judgement of blocks: VALID, INVALID, or null for "not decided yet" (no answer). */
@FunctionalInterface
interface TestJudge {
  Verdict check(long height, byte[] payload, String digest, boolean proposal, String from);

  /** Valid when the payload hashes to the digest (what every real host checks first). */
  TestJudge HASH = (h, payload, digest, proposal, from) ->
      payload != null && Hex.encode(Ed25519.sha256(payload)).equals(digest) ? Verdict.VALID : Verdict.INVALID;

  /** The answer a host gives to {@code v}, or null while it does not know. */
  default Event.Validated answer(Action.Validate v) {
    Verdict verdict = check(v.height(), v.payload(), v.digest(), v.proposal(), v.from());
    return verdict == null ? null : new Event.Validated(v.height(), v.digest(), v.proposal(), verdict);
  }

  /**
   * Feeds one event as a host does: each {@link Action.Validate} of a batch is answered after that
   * batch; returns every action, the Validate ones included, in order.
   */
  default List<Action> handle(Replica r, Event e) {
    List<Action> all = new ArrayList<>();
    Deque<Event> events = new ArrayDeque<>();
    events.add(e);
    while (!events.isEmpty()) {
      List<Action> out = r.handle(events.poll());
      all.addAll(out);
      for (Action a : out) {
        if (a instanceof Action.Validate v) {
          Event.Validated answer = answer(v);
          if (answer != null) {
            events.add(answer);
          }
        }
      }
    }
    return all;
  }
}
