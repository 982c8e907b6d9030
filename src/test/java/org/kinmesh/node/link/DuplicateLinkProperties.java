package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.kinmesh.node.link.TcpLinkChoice.Adopted;
import org.kinmesh.node.link.TcpLinkChoice.Closed;

/**
 * Both nodes dial each other at the same moment; every frame of both handshakes (hello,
 * hello, ready, and the duplicate closes) is delivered in a random order, in order per
 * connection and direction as TCP does. Whatever the order, both sides end on the link the
 * lower key dialed, and neither side's direct_tcp path ever goes down on the way.
 */
class DuplicateLinkProperties {
  enum Side { LOW, HIGH }

  enum Phase { HELLO, AWAIT_READY, OPEN, CLOSED }

  /** One WebSocket, dialed by {@code dialer}. */
  static final class Link {
    final String name;
    final Side dialer;
    final Map<Side, Phase> phase = new EnumMap<>(Side.class);

    Link(String name, Side dialer) {
      this.name = name;
      this.dialer = dialer;
      phase.put(Side.LOW, Phase.HELLO);
      phase.put(Side.HIGH, Phase.HELLO);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  record Frame(Link link, Side to, String what) {}

  /** One node's view: its choice of link, and how often its path went up and down. */
  static final class Node {
    final Side side;
    final TcpLinkChoice<Link> choice;
    int ups;
    int downs;

    Node(Side side) {
      this.side = side;
      // The link the lower key dialed is the preferred one, on both sides.
      this.choice = new TcpLinkChoice<>(l -> l.dialer == Side.LOW);
    }
  }

  @Property(tries = 1_000)
  void bothSidesKeepTheLowerKeysLinkAndNeverReportDown(@ForAll long seed) {
    Random rnd = new Random(seed);
    Map<Side, Node> nodes = new EnumMap<>(Side.class);
    nodes.put(Side.LOW, new Node(Side.LOW));
    nodes.put(Side.HIGH, new Node(Side.HIGH));
    Link byLow = new Link("dialed by low", Side.LOW);
    Link byHigh = new Link("dialed by high", Side.HIGH);
    // One queue per connection and direction: TCP keeps order within one, not across them.
    Map<String, Deque<Frame>> wires = new java.util.LinkedHashMap<>();
    List<String> trace = new ArrayList<>();
    for (Link l : List.of(byLow, byHigh)) {
      nodes.get(l.dialer).choice.dialing(l);
      // The acceptor speaks first: its hello goes out with the upgrade's answer.
      send(wires, l, other(l.dialer), "hello");
    }
    int steps = 0;
    while (true) {
      List<Deque<Frame>> ready = wires.values().stream().filter(q -> !q.isEmpty()).toList();
      if (ready.isEmpty()) {
        break;
      }
      Frame f = ready.get(rnd.nextInt(ready.size())).poll();
      trace.add(f.to + " gets " + f.what + " on " + f.link);
      deliver(nodes.get(f.to), f, wires);
      assertThat(++steps).as("terminates").isLessThan(100);
    }
    for (Node n : nodes.values()) {
      assertThat(n.choice.current()).as("%s ends on the lower key's link; %s", n.side, trace).isSameAs(byLow);
      assertThat(n.downs).as("%s never down; %s", n.side, trace).isZero();
      assertThat(n.ups).as("%s up once; %s", n.side, trace).isEqualTo(1);
    }
  }

  private static Side other(Side s) {
    return s == Side.LOW ? Side.HIGH : Side.LOW;
  }

  private static void send(Map<String, Deque<Frame>> wires, Link l, Side to, String what) {
    wires.computeIfAbsent(l.name + " to " + to, k -> new ArrayDeque<>()).add(new Frame(l, to, what));
  }

  /** What a LinkSession and TcpLinks do with one frame, reduced to the choice of link. */
  private static void deliver(Node n, Frame f, Map<String, Deque<Frame>> wires) {
    Link l = f.link;
    Phase phase = l.phase.get(n.side);
    boolean wasLinked = n.choice.linked();
    Side peer = other(n.side);
    if (phase == Phase.CLOSED) {
      return; // we closed it: frames still in flight are dropped
    }
    switch (f.what) {
      case "hello" -> {
        if (l.dialer == n.side) {
          send(wires, l, peer, "hello");
          l.phase.put(n.side, Phase.AWAIT_READY);
        } else {
          adopt(n, l, wires);
        }
      }
      case "ready" -> adopt(n, l, wires);
      case "close duplicate" -> {
        l.phase.put(n.side, Phase.CLOSED);
        Closed c = n.choice.closed(l, true);
        assertThat(c).isNotEqualTo(Closed.HANDOVER_FAILED);
      }
      default -> throw new AssertionError(f.what);
    }
    boolean linked = n.choice.linked();
    if (linked && !wasLinked) {
      n.ups++;
    } else if (!linked && wasLinked) {
      n.downs++;
    }
  }

  private static void adopt(Node n, Link l, Map<String, Deque<Frame>> wires) {
    Side peer = other(n.side);
    Adopted a = n.choice.adopt(l);
    if (a == Adopted.DUPLICATE) {
      close(n, l, wires);
      return;
    }
    if (l.dialer != n.side) {
      send(wires, l, peer, "ready");
    }
    l.phase.put(n.side, Phase.OPEN);
    if (a == Adopted.REPLACED) {
      close(n, n.choice.retired(), wires);
    }
  }

  /** We close a link as the duplicate; our own close is never a hand-over. */
  private static void close(Node n, Link l, Map<String, Deque<Frame>> wires) {
    l.phase.put(n.side, Phase.CLOSED);
    send(wires, l, other(n.side), "close duplicate");
    n.choice.closed(l, false);
  }
}
