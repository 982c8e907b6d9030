package org.kinmesh.consensus.pbft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;

/**
 * A deterministic in-memory network for {@link Replica}s: a seeded random scheduler delays,
 * reorders, duplicates and drops messages (a dropped message is delivered later, so delivery is
 * eventual), and a virtual clock fires timers. Every message goes through {@link EnvelopeCodec},
 * so the edge checks run as in production. Test code only.
 */
final class SimNetwork {
  static final String CHAIN = "sim-chain";
  static final String GENESIS = Hex.encode(Ed25519.sha256("genesis".getBytes(StandardCharsets.UTF_8)));

  /** Network behaviour; probabilities in [0, 1). */
  record Faults(long minDelayMs, long maxDelayMs, double duplicate, double drop, long redeliverMaxMs) {
    static Faults none() {
      return new Faults(1, 20, 0, 0, 0);
    }
  }

  record Stored(long height, String digest, byte[] payload, CommitCertificate cert) {}

  final class Node {
    final int index;
    final Identity identity;
    final String key;
    final EnvelopeSigner signer;
    Replica replica;
    boolean up;
    /** Cut off: nothing it sends leaves, nothing sent to it arrives (its timers still run). */
    boolean isolated;
    boolean transactionsWaiting = true;
    /** Splits the others in two and tells each half a different block (see {@link #twin}). */
    boolean byzantine;
    final TreeMap<Long, Stored> chain = new TreeMap<>();
    final Map<TimerId.Kind, Long> timerGen = new EnumMap<>(TimerId.Kind.class);
    final RejectCounters rejects = new RejectCounters();
    final List<Action.ReportEquivocation> equivocations = new ArrayList<>();
    final List<Long> viewsEntered = new ArrayList<>();
    final List<Long> viewTimeouts = new ArrayList<>();
    /** This node's host judge (set at start) and how many Validate actions it answered or not. */
    TestJudge judge;
    int validations;

    Node(int index) {
      this.index = index;
      this.identity = TestKeys.key(index + 1);
      this.key = identity.publicKeyHex();
      this.signer = new EnvelopeSigner(CHAIN, Signer.of(identity));
    }

    long height() {
      return chain.isEmpty() ? 0 : chain.lastKey();
    }

    long rejected(RejectReason r) {
      return rejects.get(r);
    }
  }

  private record Item(long at, long seq, Runnable run) {}

  final PbftConfig config;
  final EnvelopeCodec codec = new EnvelopeCodec(CHAIN);
  final List<Node> nodes = new ArrayList<>();
  final Map<String, Node> byKey = new HashMap<>();
  final Membership initial;
  private final Random random;
  private final PriorityQueue<Item> queue =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private Faults faults = Faults.none();
  private long seq;
  long now;
  /** Governance in the sim: the membership from h + 1 on, when block h changes it. */
  LongFunction<Membership> membershipAfter = h -> null;
  /** Messages the network loses for good while this holds (partitions, lost kinds). */
  java.util.function.Predicate<Envelope> lose = e -> false;
  final TestJudge validator = TestJudge.HASH;
  /**
   * Optional host behaviour for a node (the emergency tests): its validator and quorum rule, built
   * when the node starts; null means {@link #validator} and {@link QuorumRule#STRICT}.
   */
  java.util.function.Function<Node, TestJudge> validatorOf;
  java.util.function.Function<Node, QuorumRule> quorumOf;
  /** Votes a committed certificate must hold (the check every commit passes); default: the strict threshold. */
  java.util.function.BiFunction<Node, Action.Committed, Integer> certificateThreshold;
  /** Payloads carry the proposer's clock ("t=SECONDS;...") and genesis is dated 0 (see {@link #timestampOf}). */
  boolean timestamps;
  /** Like the host's quorum tick: every {@code wakeEveryMs} each replica gets {@link Event.Wake}; 0 = never. */
  long wakeEveryMs;
  /** Proposals a node builds get this timestamp instead of its clock (a primary dating blocks ahead). */
  java.util.function.Function<Node, Long> forgedTimestamp = n -> null;

  SimNetwork(int n, long seed) {
    this(n, seed, simConfig());
  }

  SimNetwork(int n, long seed, PbftConfig config) {
    this.config = config;
    this.random = new Random(seed);
    for (int i = 0; i < n; i++) {
      Node node = new Node(i);
      nodes.add(node);
      byKey.put(node.key, node);
    }
    this.initial = Membership.of(nodes.stream().map(x -> x.key).toList(), QuorumPolicy.defaults());
  }

  static PbftConfig simConfig() {
    return new PbftConfig(CHAIN, 100, 500, 1_000, 16_000, 4, 8, 4, 300);
  }

  SimNetwork faults(Faults f) {
    this.faults = f;
    return this;
  }

  /** Extra nodes that are not in the initial membership (for governance tests). */
  Node addSpareNode() {
    Node node = new Node(nodes.size());
    nodes.add(node);
    byKey.put(node.key, node);
    return node;
  }

  void startAll() {
    for (Node node : nodes) {
      if (initial.contains(node.key)) {
        start(node);
      }
    }
  }

  void start(Node node) {
    Replica.Resume resume;
    if (node.chain.isEmpty()) {
      resume = Replica.Resume.genesis(GENESIS, initial);
    } else {
      Stored last = node.chain.lastEntry().getValue();
      resume = new Replica.Resume(last.height(), last.digest(), last.cert(), last.cert().view(),
          membershipAt(last.height() + 1));
    }
    node.judge = validatorOf == null ? validator : validatorOf.apply(node);
    node.replica = new Replica(config, Signer.of(node.identity),
        quorumOf == null ? QuorumRule.STRICT : quorumOf.apply(node), resume);
    node.up = true;
    node.timerGen.clear();
    feed(node, new Event.Start());
    if (wakeEveryMs > 0) {
      wake(node, node.replica);
    }
  }

  private void wake(Node node, Replica r) {
    at(wakeEveryMs, () -> {
      if (node.replica == r) {
        feed(node, new Event.Wake());
        wake(node, r);
      }
    });
  }

  /** Seconds of the sim clock (proposers date blocks with it). */
  long nowSecs() {
    return now / 1000;
  }

  /** The timestamp a sim payload carries ("t=SECONDS;..."), or 0 (genesis, or untimed payloads). */
  static long timestampOf(byte[] payload) {
    String s = payload == null ? "" : new String(payload, StandardCharsets.UTF_8);
    if (!s.startsWith("t=")) {
      return 0;
    }
    return Long.parseLong(s.substring(2, s.indexOf(';')));
  }

  /** The timestamp of the block a node committed at a height (0 for genesis). */
  long committedTimestamp(Node node, long height) {
    Stored s = node.chain.get(height);
    return s == null ? (height == 0 ? 0 : -1) : timestampOf(s.payload());
  }

  /** What a host does when links come up: each replica sends its own pending messages to every other. */
  void reconnectAll() {
    for (Node from : nodes) {
      if (!from.up) {
        continue;
      }
      for (Envelope e : from.replica.ownPending()) {
        for (Node to : nodes) {
          if (to != from && to.up) {
            send(to, e);
          }
        }
      }
    }
  }

  /** A crash loses everything but the committed chain. */
  void crash(Node node) {
    node.up = false;
    node.replica = null;
  }

  Membership membershipAt(long height) {
    Membership m = initial;
    for (long h = 1; h < height; h++) {
      Membership next = membershipAfter.apply(h);
      if (next != null) {
        m = next;
      }
    }
    return m;
  }

  Node primaryOfView(long view) {
    return byKey.get(initial.primary(view));
  }

  // --- running -------------------------------------------------------------------------------------

  void runFor(long ms) {
    long end = now + ms;
    while (!queue.isEmpty() && queue.peek().at <= end) {
      Item it = queue.poll();
      now = it.at;
      it.run.run();
    }
    now = end;
  }

  /** Runs until the condition holds; false if the virtual deadline passes first. */
  boolean runUntil(BooleanSupplier done, long maxMs) {
    long end = now + maxMs;
    while (!done.getAsBoolean()) {
      if (queue.isEmpty() || queue.peek().at > end) {
        now = end;
        return done.getAsBoolean();
      }
      Item it = queue.poll();
      now = it.at;
      it.run.run();
    }
    return true;
  }

  boolean allUpReach(long height, long maxMs) {
    return runUntil(() -> nodes.stream().filter(x -> x.up).allMatch(x -> x.height() >= height), maxMs);
  }

  private void at(long delay, Runnable r) {
    queue.add(new Item(now + delay, seq++, r));
  }

  // --- the host --------------------------------------------------------------------------------------

  void feed(Node node, Event e) {
    if (!node.up) {
      return;
    }
    List<Event> answers = new ArrayList<>();
    for (Action a : node.replica.handle(e)) {
      perform(node, a, answers);
    }
    // As the real host: answers it knows at once go in after the batch.
    for (Event answer : answers) {
      feed(node, answer);
    }
  }

  /** Delivers raw bytes to a node through the codec, as a socket would. */
  void deliverBytes(Node to, byte[] bytes) {
    if (!to.up || to.isolated) {
      return;
    }
    Envelope e;
    try {
      e = codec.decode(bytes);
    } catch (EnvelopeException ex) {
      to.rejects.add(ex.reason());
      return;
    }
    feed(to, new Event.Received(e));
  }

  /** Sends an envelope over the faulty network (used by tests for byzantine senders too). */
  void send(Node to, Envelope e) {
    sendBytes(to, codec.encode(e));
  }

  void sendBytes(Node to, byte[] bytes) {
    if (random.nextDouble() < faults.drop()) {
      // Dropped now, retransmitted later: delivery stays eventual.
      at(faults.maxDelayMs() + (long) (random.nextDouble() * faults.redeliverMaxMs()), () -> deliverBytes(to, bytes));
      return;
    }
    at(delay(), () -> deliverBytes(to, bytes));
    if (random.nextDouble() < faults.duplicate()) {
      at(delay(), () -> deliverBytes(to, bytes));
    }
  }

  private long delay() {
    return faults.minDelayMs() + (long) (random.nextDouble() * (faults.maxDelayMs() - faults.minDelayMs() + 1));
  }

  boolean trace;

  private void perform(Node node, Action a, List<Event> answers) {
    if (node.isolated && (a instanceof Action.Broadcast || a instanceof Action.Send || a instanceof Action.ServeFetch)) {
      return;
    }
    if (trace && !(a instanceof Action.Rejected rj && rj.reason() == RejectReason.STALE)) {
      System.out.println(now + " n" + node.index + " " + describe(a));
    }
    a.accept(new Action.Handler() {
      @Override
      public void broadcast(Action.Broadcast b) {
        if (lose.test(b.envelope())) {
          return;
        }
        byte[] bytes = codec.encode(b.envelope());
        Envelope twin = node.byzantine ? twin(node, b.envelope()) : null;
        byte[] twinBytes = twin == null ? null : codec.encode(twin);
        for (Node other : nodes) {
          if (other != node) {
            sendBytes(other, twinBytes != null && other.index % 2 == 1 ? twinBytes : bytes);
          }
        }
      }

      @Override
      public void send(Action.Send s) {
        SimNetwork.this.send(byKey.get(s.to()), s.envelope());
      }

      @Override
      public void committed(Action.Committed c) {
        Stored had = node.chain.get(c.height());
        if (had != null) {
          throw new AssertionError("node " + node.index + " committed height " + c.height() + " twice");
        }
        int needed = certificateThreshold == null ? membershipAt(c.height()).threshold()
            : certificateThreshold.apply(node, c);
        if (!CommitCertificate.verify(c.certificate(), membershipAt(c.height()).keys(), needed)) {
          throw new AssertionError("node " + node.index + " committed without a valid certificate");
        }
        node.chain.put(c.height(), new Stored(c.height(), c.digest(), c.payload(), c.certificate()));
        Replica r = node.replica;
        at(0, () -> {
          if (node.replica == r) {
            feed(node, new Event.Applied(c.height(), membershipAfter.apply(c.height())));
          }
        });
      }

      @Override
      public void buildBlock(Action.BuildBlock bb) {
        if (node.transactionsWaiting || bb.mustPropose()) {
          Long forged = forgedTimestamp.apply(node);
          String time = timestamps ? "t=" + (forged != null ? forged : nowSecs()) + ";" : "";
          byte[] payload = (time + "block " + bb.height() + " view " + bb.view() + " by " + node.index
              + (node.transactionsWaiting ? " with txs" : " empty")).getBytes(StandardCharsets.UTF_8);
          String digest = Hex.encode(Ed25519.sha256(payload));
          Replica r = node.replica;
          at(0, () -> {
            if (node.replica == r) {
              feed(node, new Event.Propose(bb.view(), bb.height(), payload, digest));
            }
          });
        }
      }

      @Override
      public void validate(Action.Validate v) {
        node.validations++;
        Event.Validated answer = node.judge.answer(v);
        if (answer != null) {
          answers.add(answer);
        }
      }

      @Override
      public void serveFetch(Action.ServeFetch sf) {
        for (long h = sf.from(); h <= sf.toHeight(); h++) {
          Stored s = node.chain.get(h);
          if (s == null) {
            break;
          }
          SimNetwork.this.send(byKey.get(sf.to()), node.signer.block(h, s.digest(), s.payload(), s.cert()));
        }
      }

      @Override
      public void startTimer(Action.StartTimer st) {
        long gen = node.timerGen.merge(st.id().kind(), 1L, Long::sum);
        Replica r = node.replica;
        if (st.id().kind() == TimerId.Kind.VIEW) {
          node.viewTimeouts.add(st.delayMs());
        }
        at(st.delayMs(), () -> {
          if (node.replica == r && node.timerGen.get(st.id().kind()) == gen) {
            feed(node, new Event.TimerFired(st.id()));
          }
        });
      }

      @Override
      public void cancelTimer(Action.CancelTimer ct) {
        node.timerGen.merge(ct.kind(), 1L, Long::sum);
      }

      @Override
      public void reportEquivocation(Action.ReportEquivocation re) {
        node.equivocations.add(re);
      }

      @Override
      public void rejected(Action.Rejected rj) {
        node.rejects.add(rj.reason());
      }

      @Override
      public void viewChanged(Action.ViewChanged vc) {
        node.viewsEntered.add(vc.view());
      }
    });
  }

  private String describe(Action a) {
    if (a instanceof Action.Broadcast b) {
      return "bcast " + describe(b.envelope());
    } else if (a instanceof Action.Send s) {
      return "send n" + byKey.get(s.to()).index + " " + describe(s.envelope());
    } else if (a instanceof Action.Rejected r) {
      return "reject " + r.reason() + " from " + (r.sender() == null ? "-" : "n" + byKey.get(r.sender()).index) + " " + r.detail();
    } else if (a instanceof Action.Committed c) {
      return "COMMIT h" + c.height() + " v" + c.view();
    }
    return a.toString();
  }

  private String describe(Envelope e) {
    String s = e.getClass().getSimpleName() + " v" + e.view() + " h" + e.height();
    if (e instanceof Envelope.ViewChange vc) {
      s += " prepared=" + (vc.prepared() == null ? "-" : "v" + vc.prepared().view());
    }
    return s;
  }

  /** The lie a byzantine node tells half the network: the same slot, another (valid) block. */
  private static Envelope twin(Node node, Envelope e) {
    byte[] evil = ("evil block " + e.height() + " view " + e.view() + " by " + node.index).getBytes(StandardCharsets.UTF_8);
    String d = Hex.encode(Ed25519.sha256(evil));
    if (e instanceof Envelope.PrePrepare pp) {
      Envelope.PrePrepare t = new Envelope.PrePrepare(CHAIN, pp.view(), pp.height(), d, evil, node.key, null);
      return new Envelope.PrePrepare(CHAIN, pp.view(), pp.height(), d, evil, node.key, node.identity.sign(t.canonical()));
    } else if (e instanceof Envelope.Prepare p) {
      Envelope.Prepare t = new Envelope.Prepare(CHAIN, p.view(), p.height(), d, node.key, null);
      return new Envelope.Prepare(CHAIN, p.view(), p.height(), d, node.key, node.identity.sign(t.canonical()));
    } else if (e instanceof Envelope.Commit c) {
      Envelope.Commit t = new Envelope.Commit(CHAIN, c.view(), c.height(), d, node.key, null);
      return new Envelope.Commit(CHAIN, c.view(), c.height(), d, node.key, node.identity.sign(t.canonical()));
    }
    return null;
  }

  // --- checks ----------------------------------------------------------------------------------------

  /** Safety: no two nodes hold different digests at one height. */
  void assertAgreement() {
    Map<Long, String> seen = new HashMap<>();
    for (Node node : nodes) {
      if (node.byzantine) {
        continue; // its own chain proves nothing
      }
      for (Stored s : node.chain.values()) {
        String had = seen.putIfAbsent(s.height(), s.digest());
        if (had != null && !had.equals(s.digest())) {
          throw new AssertionError("fork at height " + s.height() + ": " + had + " vs " + s.digest());
        }
      }
    }
  }
}
