package org.kinmesh.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kinmesh.stun.Transaction.Purpose;
import org.kinmesh.wire.gossip.NatType;

/**
 * One run of public-endpoint discovery and NAT classification, as a pure state machine: the
 * caller feeds it the time, the datagrams that arrived and timer wake-ups, and sends what it
 * returns. No sockets, no clock of its own (docs/stun.md has the sequence and decision table).
 *
 * <ol>
 *   <li>Test I: a Binding request to each server in turn, RFC 8489 retransmissions for up to
 *       5 s each; the first success wins and gives the public endpoint.
 *   <li>Mapped address = a local address and the socket's port: {@code open}, done.
 *   <li>With a usable OTHER-ADDRESS (RFC 5780 server): the two filtering tests first (CHANGE-REQUEST
 *       change IP and port; change port), both to the primary address so no hole towards the
 *       alternate exists yet; then mapping tests II (alternate IP, primary port) and III
 *       (alternate IP and port). Silence is the filtering tests' answer, so they wait 8 round trips
 *       (bounded, see ProbeSettings); a plain Binding request sent with them, a control, measures
 *       the round trip again and can shorten that wait: test I's round trip is often inflated by
 *       a cold start (class loading, JIT), which made a first probe wait the 1 s cap.
 *   <li>Otherwise: test I against the next server on a different IP, and compare mappings.
 * </ol>
 * A re-probe from the same socket ({@code previous} given) whose test I sees the same mapping
 * from the same server keeps the previous RFC 5780 verdict and stops after test I: the previous
 * run's tests II and III opened holes towards the server's alternate address, and while the NAT
 * still remembers this socket (its mapping is unchanged) those holes let the CHANGE-REQUEST
 * answers in, so a port-restricted NAT would look full cone. A changed mapping means the NAT
 * forgot the socket (new external address, flushed state, expiry): then the full tests run.
 * Answers are matched by transaction ID and by where they came from; anything else is ignored.
 */
public final class NatProbe {
  /** A datagram the caller must send. */
  public record Outgoing(InetSocketAddress to, byte[] data) {}

  private enum Phase { TEST_I, FILTERING, MAPPING, SECOND_SERVER, DONE }

  /** Comprehension-required attributes of RFC 3489/5389 a response may carry that do not make it unusable. */
  private static final Set<Integer> TOLERATED = Set.of(0x0004, 0x0005, StunAttribute.USERNAME,
      StunAttribute.MESSAGE_INTEGRITY, 0x001C);
  private static final StunAttribute SOFTWARE = new StunAttribute.Software("kinmesh");

  private final List<StunServer> servers;
  private final Set<InetAddress> localAddresses;
  private final int localPort;
  private final ProbeSettings settings;
  private final ProbeResult previous;
  private boolean kept;
  private final Map<TransactionId, Transaction> active = new LinkedHashMap<>();
  private final List<ServerOutcome> outcomes = new ArrayList<>();
  private Phase phase = Phase.TEST_I;
  private int index;
  private long startedAt;
  private StunServer primary;
  private InetSocketAddress mapped;
  private InetSocketAddress other;
  private long rttMillis;
  private FilterOutcome changeBoth = FilterOutcome.NOT_RUN;
  private FilterOutcome changePort = FilterOutcome.NOT_RUN;
  private InetSocketAddress mappedAltIp;
  private InetSocketAddress mappedAltBoth;
  private int mappingPending;
  private InetSocketAddress secondMapped;
  private long ignored;
  private ProbeResult result;

  /**
   * @param servers in order of preference, already resolved
   * @param localAddresses this host's interface addresses (for {@code open})
   * @param localPort the socket's port
   */
  public NatProbe(List<StunServer> servers, Set<InetAddress> localAddresses, int localPort, ProbeSettings settings) {
    this(servers, localAddresses, localPort, settings, null);
  }

  /**
   * @param previous the last result of a probe on this same socket, or null (a fresh socket):
   *     see the class comment for when its verdict is kept
   */
  public NatProbe(List<StunServer> servers, Set<InetAddress> localAddresses, int localPort, ProbeSettings settings,
      ProbeResult previous) {
    this.servers = List.copyOf(servers);
    this.localAddresses = Set.copyOf(localAddresses);
    this.localPort = localPort;
    this.settings = settings;
    this.previous = previous;
  }

  public List<Outgoing> start(long now) {
    startedAt = now;
    List<Outgoing> out = new ArrayList<>();
    if (servers.isEmpty()) {
      finish(now);
    } else {
      testOne(now, out);
    }
    return out;
  }

  public boolean done() {
    return phase == Phase.DONE;
  }

  /** The result once {@link #done()}. */
  public ProbeResult result() {
    return result;
  }

  /** Datagrams that matched no transaction, or came from the wrong place, or did not parse. */
  public long ignored() {
    return ignored;
  }

  /** When {@link #onTimer} must next be called; Long.MAX_VALUE when nothing is pending. */
  public long nextWakeup() {
    long next = Long.MAX_VALUE;
    for (Transaction t : active.values()) {
      next = Math.min(next, t.nextWakeup());
    }
    return next;
  }

  public List<Outgoing> onTimer(long now) {
    List<Outgoing> out = new ArrayList<>();
    for (Transaction t : new ArrayList<>(active.values())) {
      if (phase == Phase.DONE || !active.containsKey(t.id)) {
        continue;
      }
      if (now >= t.deadline) {
        active.remove(t.id);
        if (t.purpose == Purpose.FILTER_CHANGE_BOTH || t.purpose == Purpose.FILTER_CHANGE_PORT) {
          filtered(t.purpose, FilterOutcome.NO_ANSWER, now, out);
        } else if (t.purpose == Purpose.FILTER_CONTROL) {
          continue; // only ever shortens the filtering wait
        } else {
          failed(t, "timeout", now, out);
        }
        continue;
      }
      boolean due = false;
      while (t.nextSendAt() <= now) {
        t.markSent(); // a late timer sends one copy, not every overdue one
        due = true;
      }
      if (due) {
        out.add(new Outgoing(t.to, t.request));
      }
    }
    return out;
  }

  public List<Outgoing> onDatagram(InetSocketAddress from, byte[] data, long now) {
    if (phase == Phase.DONE) {
      ignored++;
      return List.of();
    }
    StunMessage m;
    try {
      m = StunCodec.decode(data);
    } catch (StunParseException e) {
      ignored++;
      return List.of();
    }
    Transaction t = active.get(m.id());
    if (t == null || !m.isBinding() || (m.cls() != StunClass.SUCCESS && m.cls() != StunClass.ERROR)) {
      ignored++;
      return List.of();
    }
    boolean success = m.cls() == StunClass.SUCCESS;
    if (success && !usable(m)) {
      ignored++; // RFC 8489 §6.3.4: discard, keep waiting for a usable answer
      return List.of();
    }
    if (t.purpose == Purpose.FILTER_CONTROL) {
      if (!from.equals(t.to)) {
        ignored++;
        return List.of();
      }
      active.remove(t.id);
      if (success) {
        long until = t.start + settings.filterWaitMillis(now - t.start);
        for (Transaction f : active.values()) {
          if (f.purpose == Purpose.FILTER_CHANGE_BOTH || f.purpose == Purpose.FILTER_CHANGE_PORT) {
            f.shortenDeadline(until);
          }
        }
      }
      return List.of();
    }
    List<Outgoing> out = new ArrayList<>();
    if (t.purpose == Purpose.FILTER_CHANGE_BOTH || t.purpose == Purpose.FILTER_CHANGE_PORT) {
      InetSocketAddress changed = t.purpose == Purpose.FILTER_CHANGE_BOTH ? other
          : new InetSocketAddress(primary.address().getAddress(), other.getPort());
      FilterOutcome r;
      if (success && from.equals(changed)) {
        r = FilterOutcome.ANSWERED;
      } else if (from.equals(changed) || from.equals(t.to)) {
        r = FilterOutcome.NOT_SUPPORTED; // an error, or an answer from the unchanged address
      } else {
        ignored++;
        return List.of();
      }
      active.remove(t.id);
      filtered(t.purpose, r, now, out);
      return out;
    }
    if (!from.equals(t.to)) {
      ignored++;
      return List.of();
    }
    active.remove(t.id);
    if (success) {
      succeeded(t, m, now, out);
    } else {
      failed(t, m.errorCode().map(e -> "error " + e.code() + " " + e.reason()).orElse("error response"), now, out);
    }
    return out;
  }

  private static boolean usable(StunMessage m) {
    if (m.mappedAddress().isEmpty()) {
      return false;
    }
    for (int type : m.uninterpretedRequired()) {
      if (!TOLERATED.contains(type)) {
        return false;
      }
    }
    return true;
  }

  private void succeeded(Transaction t, StunMessage m, long now, List<Outgoing> out) {
    InetSocketAddress seen = m.mappedAddress().orElseThrow();
    switch (t.purpose) {
      case TEST_I -> {
        primary = servers.get(index);
        mapped = seen;
        other = m.otherAddress().orElse(null);
        rttMillis = now - t.start;
        outcomes.add(ServerOutcome.answered(primary, seen, other, rttMillis));
        if (isLocal(seen)) {
          finish(now);
        } else if (sameMappingAsBefore()) {
          kept = true;
          finish(now);
        } else if (usableOther()) {
          phase = Phase.FILTERING;
          long wait = settings.filterWaitMillis(rttMillis);
          long[] twice = {0, wait / 2};
          begin(Purpose.FILTER_CHANGE_BOTH, primary.address(), twice, wait, now, out,
              new StunAttribute.ChangeRequest(true, true));
          begin(Purpose.FILTER_CHANGE_PORT, primary.address(), twice, wait, now, out,
              new StunAttribute.ChangeRequest(false, true));
          begin(Purpose.FILTER_CONTROL, primary.address(), twice, wait, now, out);
        } else {
          phase = Phase.SECOND_SERVER;
          nextSecondServer(now, out);
        }
      }
      case SECOND_SERVER -> {
        secondMapped = seen;
        outcomes.add(ServerOutcome.answered(servers.get(index), seen, m.otherAddress().orElse(null), now - t.start));
        finish(now);
      }
      case MAPPING_ALT_IP -> {
        mappedAltIp = seen;
        mappingPending--;
        if (seen.equals(mapped)) {
          // endpoint-independent: test III cannot change the verdict
          active.values().removeIf(x -> x.purpose == Purpose.MAPPING_ALT_BOTH);
          mappingPending = 0;
        }
        finishMappingIfDone(now);
      }
      case MAPPING_ALT_BOTH -> {
        mappedAltBoth = seen;
        mappingPending--;
        finishMappingIfDone(now);
      }
      default -> throw new IllegalStateException("filtering handled by the caller");
    }
  }

  private void failed(Transaction t, String why, long now, List<Outgoing> out) {
    switch (t.purpose) {
      case TEST_I -> {
        StunServer s = servers.get(index);
        outcomes.add(ServerOutcome.failed(s.name(), s.address(), why));
        index++;
        if (index < servers.size()) {
          testOne(now, out);
        } else {
          finish(now);
        }
      }
      case SECOND_SERVER -> {
        StunServer s = servers.get(index);
        outcomes.add(ServerOutcome.failed(s.name(), s.address(), why));
        nextSecondServer(now, out);
      }
      case MAPPING_ALT_IP, MAPPING_ALT_BOTH -> {
        mappingPending--;
        finishMappingIfDone(now);
      }
      default -> throw new IllegalStateException("filtering handled by the caller");
    }
  }

  private void filtered(Purpose which, FilterOutcome r, long now, List<Outgoing> out) {
    if (which == Purpose.FILTER_CHANGE_BOTH) {
      changeBoth = r;
    } else {
      changePort = r;
    }
    if (changeBoth == FilterOutcome.NOT_RUN || changePort == FilterOutcome.NOT_RUN) {
      return;
    }
    phase = Phase.MAPPING;
    active.values().removeIf(x -> x.purpose == Purpose.FILTER_CONTROL);
    long[] offsets = Transaction.rfcOffsets(settings.rtoMillis(), settings.perServerMillis());
    mappingPending = 2;
    begin(Purpose.MAPPING_ALT_IP, new InetSocketAddress(other.getAddress(), primary.address().getPort()), offsets,
        settings.perServerMillis(), now, out);
    begin(Purpose.MAPPING_ALT_BOTH, other, offsets, settings.perServerMillis(), now, out);
  }

  private void finishMappingIfDone(long now) {
    if (mappingPending == 0) {
      finish(now);
    }
  }

  private void testOne(long now, List<Outgoing> out) {
    begin(Purpose.TEST_I, servers.get(index).address(),
        Transaction.rfcOffsets(settings.rtoMillis(), settings.perServerMillis()), settings.perServerMillis(), now, out);
  }

  /** Test I against the next server on another IP than the one that answered, if any. */
  private void nextSecondServer(long now, List<Outgoing> out) {
    while (++index < servers.size()) {
      StunServer s = servers.get(index);
      if (!s.address().getAddress().equals(primary.address().getAddress())) {
        begin(Purpose.SECOND_SERVER, s.address(),
            Transaction.rfcOffsets(settings.rtoMillis(), settings.perServerMillis()), settings.perServerMillis(), now,
            out);
        return;
      }
    }
    finish(now);
  }

  private void begin(Purpose purpose, InetSocketAddress to, long[] offsets, long budget, long now, List<Outgoing> out,
      StunAttribute... extra) {
    TransactionId id = TransactionId.random();
    StunAttribute[] attrs = new StunAttribute[extra.length + 1];
    attrs[0] = SOFTWARE;
    System.arraycopy(extra, 0, attrs, 1, extra.length);
    byte[] request = StunCodec.encode(StunMessage.bindingRequest(id, attrs));
    Transaction t = new Transaction(purpose, id, to, request, now, offsets, budget);
    active.put(id, t);
    t.markSent();
    out.add(new Outgoing(to, request));
  }

  /**
   * RFC 5780 needs an alternate that differs in both IP and port, of the same family; one a
   * datagram can be sent to (not port 0, not a wildcard or multicast address).
   */
  private boolean usableOther() {
    InetSocketAddress p = primary.address();
    return other != null && !other.getAddress().equals(p.getAddress()) && other.getPort() != p.getPort()
        && other.getAddress().getClass() == p.getAddress().getClass() && other.getPort() != 0
        && !other.getAddress().isAnyLocalAddress() && !other.getAddress().isMulticastAddress();
  }

  /** The previous probe on this socket classified the NAT with RFC 5780 and saw this very mapping from this server. */
  private boolean sameMappingAsBefore() {
    return previous != null && previous.observations().rfc5780() && previous.natType() != NatType.UNKNOWN
        && previous.natType() != NatType.OPEN && mapped.equals(previous.publicEndpoint())
        && primary.name().equals(previous.server());
  }

  private boolean isLocal(InetSocketAddress a) {
    return localAddresses.contains(a.getAddress()) && (localPort <= 0 || a.getPort() == localPort);
  }

  private void finish(long now) {
    active.clear();
    phase = Phase.DONE;
    if (mapped == null) {
      result = ProbeResult.nothing(outcomes, now - startedAt);
      return;
    }
    if (kept) {
      result = new ProbeResult(mapped, previous.classification(), primary.name(), outcomes, previous.observations(),
          now - startedAt);
      return;
    }
    NatClassifier.Observations o = new NatClassifier.Observations(mapped, isLocal(mapped),
        other != null && changeBoth != FilterOutcome.NOT_RUN, changeBoth, changePort, mappedAltIp, mappedAltBoth,
        secondMapped);
    result = new ProbeResult(mapped, NatClassifier.classify(o), primary.name(), outcomes, o, now - startedAt);
  }
}
