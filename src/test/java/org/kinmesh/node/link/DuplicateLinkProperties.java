package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.node.link.TcpLinkChoice.Adopted;

/**
 * Both nodes dial each other at the same moment. Every frame of both handshakes (hello, hello,
 * ready), the duplicate closes and their echoes, and messages each side sends once its path is
 * up, are delivered in a random order: in order per connection and direction, as TCP does, in
 * any order across them. Whatever the order, both sides end on the link the lower key dialed,
 * neither side's path goes down on the way, and every message arrives once.
 *
 * <p>The model is what LinkSession and TcpLinks do with each frame, with TcpLinkChoice (the
 * code under test) deciding.
 */
class DuplicateLinkProperties {
  enum Side { LOW, HIGH }

  /** A side's view of one link: HELLO, AWAIT_READY (dialer), OPEN, RETIRING (we closed, still delivering), CLOSED. */
  enum Phase { HELLO, AWAIT_READY, OPEN, RETIRING, CLOSED }

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

  static final class Node {
    final Side side;
    final TcpLinkChoice<Link> choice = new TcpLinkChoice<>(l -> l.dialer == Side.LOW);
    final Set<String> received = new HashSet<>();
    int ups;
    int downs;

    Node(Side side) {
      this.side = side;
    }
  }

  @Property(tries = 2_000)
  void bothSidesKeepTheLowerKeysLinkNeverGoDownAndLoseNoMessage(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 6) int messages) {
    new Run().run(new Random(seed), messages);
  }

  /** One try: its own nodes and wires. */
  static final class Run {
  final Map<Side, Node> nodes = new EnumMap<>(Side.class);
  /** One queue per connection and direction. */
  final Map<String, Deque<Frame>> wires = new LinkedHashMap<>();
  final List<String> trace = new ArrayList<>();
  final Set<String> lost = new HashSet<>();

  void run(Random rnd, int messages) {
    nodes.put(Side.LOW, new Node(Side.LOW));
    nodes.put(Side.HIGH, new Node(Side.HIGH));
    Link byLow = new Link("dialed by low", Side.LOW);
    Link byHigh = new Link("dialed by high", Side.HIGH);
    for (Link l : List.of(byLow, byHigh)) {
      nodes.get(l.dialer).choice.dialing(l);
      send(l, l.dialer, "hello"); // the acceptor speaks first, to the dialer
    }
    Map<Side, Integer> sent = new EnumMap<>(Map.of(Side.LOW, 0, Side.HIGH, 0));
    int steps = 0;
    while (true) {
      List<Deque<Frame>> ready = wires.values().stream().filter(q -> !q.isEmpty()).toList();
      // A side whose path is up may send (a test sends once it saw "up").
      List<Side> canSend = nodes.values().stream()
          .filter(n -> n.choice.linked() && sent.get(n.side) < messages).map(n -> n.side).toList();
      if (ready.isEmpty() && canSend.isEmpty()) {
        break;
      }
      if (!canSend.isEmpty() && (ready.isEmpty() || rnd.nextInt(3) == 0)) {
        Side s = canSend.get(rnd.nextInt(canSend.size()));
        String m = s + "#" + sent.merge(s, 1, Integer::sum);
        trace.add(s + " sends " + m);
        route(nodes.get(s), m);
      } else {
        Frame f = ready.get(rnd.nextInt(ready.size())).poll();
        trace.add(f.to + " gets " + f.what + " on " + f.link);
        deliver(nodes.get(f.to), f);
      }
      assertThat(++steps).as("terminates").isLessThan(500);
    }
    for (Node n : nodes.values()) {
      assertThat(n.choice.current()).as("%s ends on the lower key's link; %s", n.side, trace).isSameAs(byLow);
      assertThat(n.downs).as("%s never down; %s", n.side, trace).isZero();
      assertThat(n.ups).as("%s up once; %s", n.side, trace).isEqualTo(1);
      Side peer = other(n.side);
      assertThat(n.received).as("%s got all of %s's messages; %s", n.side, peer, trace)
          .hasSize(sent.get(peer));
    }
    assertThat(lost).as("lost; %s", trace).isEmpty();
  }

  private static Side other(Side s) {
    return s == Side.LOW ? Side.HIGH : Side.LOW;
  }

  private void send(Link l, Side to, String what) {
    wires.computeIfAbsent(l.name + " to " + to, k -> new ArrayDeque<>()).add(new Frame(l, to, what));
  }

  /** Router: on the current link, else held during a hand-over, else lost. */
  private void route(Node n, String m) {
    Link cur = n.choice.current();
    if (cur != null) {
      assertThat(cur.phase.get(n.side)).isEqualTo(Phase.OPEN);
      send(cur, other(n.side), "data " + m);
    } else if (!n.choice.hold(m)) {
      lost.add(m);
    }
  }

  private void deliver(Node n, Frame f) {
    Link l = f.link;
    Phase phase = l.phase.get(n.side);
    boolean wasLinked = n.choice.linked();
    if (f.what.startsWith("data ")) {
      String m = f.what.substring(5);
      if (phase == Phase.OPEN || phase == Phase.RETIRING) {
        assertThat(n.received.add(m)).as("once: %s", m).isTrue();
      } else {
        lost.add(m);
      }
      return;
    }
    switch (f.what) {
      case "hello" -> {
        if (phase == Phase.RETIRING || phase == Phase.CLOSED) {
          return;
        }
        if (l.dialer == n.side) {
          send(l, other(n.side), "hello");
          l.phase.put(n.side, Phase.AWAIT_READY);
        } else {
          adopt(n, l);
        }
      }
      case "ready" -> {
        if (phase == Phase.AWAIT_READY) {
          adopt(n, l);
        }
      }
      case "close" -> {
        if (phase == Phase.RETIRING || phase == Phase.CLOSED) {
          // The answer to our own close (or theirs crossing it): the session ends now.
          l.phase.put(n.side, Phase.CLOSED);
          n.choice.closed(l, false);
        } else {
          l.phase.put(n.side, Phase.CLOSED);
          n.choice.closed(l, true);
          send(l, other(n.side), "close");
        }
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

  private void adopt(Node n, Link l) {
    Side peer = other(n.side);
    Adopted a = n.choice.adopt(l);
    if (a == Adopted.DUPLICATE) {
      // A dialer's duplicate was adopted by the acceptor (it said ready): keep delivering until
      // the close completes. An acceptor's duplicate never said ready: nothing can come on it.
      l.phase.put(n.side, l.dialer == n.side ? Phase.RETIRING : Phase.CLOSED);
      send(l, peer, "close");
      return;
    }
    if (l.dialer != n.side) {
      send(l, peer, "ready");
    }
    l.phase.put(n.side, Phase.OPEN);
    if (a == Adopted.REPLACED) {
      Link old = n.choice.retired();
      old.phase.put(n.side, Phase.RETIRING);
      send(old, peer, "close");
    }
    if (a == Adopted.HANDED_OVER) {
      for (String m : n.choice.takeHeld()) {
        send(l, peer, "data " + m);
      }
    }
  }
}
}
