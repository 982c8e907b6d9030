package org.kinmesh.gossip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.kinmesh.wire.gossip.GossipDatagram;

/**
 * Splits a pull's answer into delta datagrams (PROTOCOL.md §3.3), pure: each datagram at
 * most {@code maxBytes} with whole announces, oldest first, and at most {@code maxDatagrams}
 * of them, so one pull can never turn into a flood. The last datagram has {@code more =
 * false}; its watermark is the responder's counter when everything after {@code since} was
 * scanned, or the number of the last announce sent when the answer was cut short, so the
 * puller's next pull continues exactly there.
 */
public final class DeltaBuilder {
  /** The datagrams, the watermark of the last one, how many announces went out and whether it was cut short. */
  public record Answer(List<byte[]> datagrams, List<String> bodies, long watermark, int announces, boolean truncated) {}

  private static final String MORE_FALSE = "false";
  private static final String MORE_TRUE = "true";

  private DeltaBuilder() {}

  /**
   * @param entries the responder's entries numbered after {@code since}, oldest first
   * @param counter the responder's counter (the watermark of a complete answer)
   * @param servable which entries may go out (fresh, not the puller's own)
   */
  public static Answer build(String chain, String from, Iterable<AnnounceStore.Stored> entries, long counter,
      Predicate<AnnounceStore.Stored> servable, int maxDatagrams, int maxBytes) {
    String head = "{\"type\":\"delta\",\"blockchain_id\":\"" + chain + "\",\"from\":\"" + from + "\",\"watermark\":";
    String mid = ",\"announces\":[";
    // Sized for the longest watermark and the longer "more" literal, so a datagram never grows when they are set.
    int fixed = 3 + bytes(head) + Long.toString(counter).length() + bytes(mid) + bytes("],\"more\":") + 5 + 1;
    List<String> bodies = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int currentBytes = fixed;
    long lastSeq = -1;
    int sent = 0;
    boolean truncated = false;
    for (AnnounceStore.Stored s : entries) {
      if (!servable.test(s)) {
        continue;
      }
      int item = bytes(s.json());
      if (fixed + item > maxBytes) {
        continue; // cannot fit even alone (cannot happen with valid announces); never sent
      }
      int needed = item + (current.isEmpty() ? 0 : 1);
      if (currentBytes + needed > maxBytes) {
        if (bodies.size() + 1 == maxDatagrams) {
          truncated = true;
          break;
        }
        bodies.add(body(head, mid, lastSeq, current, MORE_TRUE));
        current.clear();
        currentBytes = fixed;
        needed = item;
      }
      current.add(s.json());
      currentBytes += needed;
      lastSeq = s.seq();
      sent++;
    }
    long watermark = truncated ? lastSeq : counter;
    bodies.add(body(head, mid, watermark, current, MORE_FALSE));
    List<byte[]> datagrams = new ArrayList<>(bodies.size());
    for (String b : bodies) {
      datagrams.add(GossipDatagram.encode(GossipDatagram.TYPE_DELTA, b.getBytes(StandardCharsets.UTF_8)));
    }
    return new Answer(datagrams, bodies, watermark, sent, truncated);
  }

  private static String body(String head, String mid, long watermark, List<String> items, String more) {
    return head + watermark + mid + String.join(",", items) + "],\"more\":" + more + "}";
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
