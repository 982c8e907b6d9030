package org.kinmesh.punch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.kinmesh.util.Jitter;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * One hole-punching attempt toward one peer (pure; time in milliseconds is passed in). Each
 * round sends a probe with a fresh nonce to every candidate endpoint; the first signed reply
 * that echoes one of our live nonces opens the path, at the address the reply actually came
 * from (for a peer behind a symmetric NAT that is a peer-reflexive address we never had as a
 * candidate). Rounds come quickly at first, both sides probing at once, then back off. Randomness
 * (the back-off's jitter) is injected too, so a seeded attempt replays the same schedule.
 */
public final class PunchAttempt {
  /** Quick rounds: every 100 ms for 3 s, so two sides probing at once meet well under a second. */
  static final long QUICK_INTERVAL_MS = 100;
  static final int QUICK_ROUNDS = 30;
  /**
   * Then 1, 2, 4, 8, 10, 10, ... s: a probe is one small signed datagram per candidate, so a
   * path that comes back (a cut lifted, a NAT rebooted) is found within ~12 s (10 s + jitter).
   */
  static final long MAX_BACKOFF_MS = 10_000;
  /**
   * Each back-off delay is ± this fraction of its step. Back-off rounds run for as long as a
   * path is down, and one event (a cut, a NAT reboot) starts many attempts at once: toward every
   * peer, and on every node behind the same NAT. Without jitter they would fire in the same tick
   * every 10 s from then on, bursts from one public address into the peers' per-source probe
   * limit (PunchVerticle.PER_SOURCE_RATE). Quick rounds are not jittered: the peer started its
   * attempt on our "call me" within a round trip of ours, and the two sides meet by both probing
   * densely in the same 3 s window; a 100 ms period is already finer than that needs, jitter
   * there would only stretch time to direct, and 30 rounds end too soon to hold any lockstep.
   */
  static final double BACKOFF_JITTER = 0.2;
  /** A nonce is answerable this long (a reply after that is treated as unknown). */
  static final long NONCE_LIFETIME_MS = 10_000;
  /** Candidates kept per peer: the six of gossip plus a few peer-reflexive ones. */
  static final int MAX_CANDIDATES = 10;

  public record Outgoing(Endpoint to, String nonce) {}

  /**
   * @param confirm whether the peer waits for our reply to its own nonce: true when the answered
   *     nonce went out in a probe (the reply carries the peer's nonce), false when it went out in
   *     a reply (the answer is that confirmation already; confirming it again would ping-pong)
   */
  public record Success(Endpoint endpoint, long rttMillis, String observedSelf, boolean confirm) {}

  private record Sent(Endpoint to, long at, boolean inReply) {}

  private final String peer;
  private final LinkedHashSet<Endpoint> candidates = new LinkedHashSet<>();
  private final Map<String, Sent> outstanding = new LinkedHashMap<>();
  private final Supplier<String> nonces;
  private final RandomGenerator random;
  private int rounds;
  private long nextRoundAt;
  private final long startedAt;

  public PunchAttempt(String peer, List<Endpoint> candidates, long now, Supplier<String> nonces,
      RandomGenerator random) {
    this.peer = Objects.requireNonNull(peer, "peer");
    this.nonces = Objects.requireNonNull(nonces, "nonces");
    this.random = Objects.requireNonNull(random, "random");
    candidates.forEach(this::addCandidate);
    this.nextRoundAt = now;
    this.startedAt = now;
  }

  public String peer() {
    return peer;
  }

  /** Adds an endpoint to probe (from gossip, the relay, or a probe that arrived from it). */
  public boolean addCandidate(Endpoint e) {
    if (candidates.contains(e)) {
      return false;
    }
    if (candidates.size() >= MAX_CANDIDATES) {
      Iterator<Endpoint> oldest = candidates.iterator();
      oldest.next();
      oldest.remove();
    }
    candidates.add(e);
    return true;
  }

  public Set<Endpoint> candidates() {
    return Set.copyOf(candidates);
  }

  /** When the next round is due. */
  public long nextRoundAt() {
    return nextRoundAt;
  }

  /** Makes the next round due now (a "call me" arrived, or a new candidate appeared). */
  public void hurry(long now) {
    nextRoundAt = Math.min(nextRoundAt, now);
  }

  /** The probes of one round, if it is due; schedules the next. */
  public List<Outgoing> round(long now) {
    if (now < nextRoundAt) {
      return List.of();
    }
    outstanding.values().removeIf(s -> now - s.at > NONCE_LIFETIME_MS);
    List<Outgoing> out = new ArrayList<>(candidates.size());
    for (Endpoint e : candidates) {
      String nonce = nonces.get();
      outstanding.put(nonce, new Sent(e, now, false));
      out.add(new Outgoing(e, nonce));
    }
    rounds++;
    nextRoundAt = now + delayAfter(rounds, random);
    return out;
  }

  /**
   * The nonce of our reply to a probe of the peer that came from {@code to}: live as a round's, so
   * the peer's confirming reply that echoes it opens the path from this side. The address is not
   * probed (anyone can set a datagram's source, issue 13.6): the reply is the only answer, and
   * the peer, having proved itself by echoing its own probe's nonce, is the one who confirms.
   */
  public void expectConfirmation(Endpoint to, String nonce, long now) {
    outstanding.put(Objects.requireNonNull(nonce, "nonce"), new Sent(Objects.requireNonNull(to, "to"), now, true));
  }

  /** The wait after the given number of rounds: quick rounds exact, back-off rounds jittered. */
  static long delayAfter(int rounds, RandomGenerator random) {
    long step = stepAfter(rounds);
    return rounds < QUICK_ROUNDS ? step : Jitter.around(step, BACKOFF_JITTER, random);
  }

  /** The schedule without jitter: 100 ms × 30, then 1, 2, 4, 8, 10, 10, ... s. */
  static long stepAfter(int rounds) {
    if (rounds < QUICK_ROUNDS) {
      return QUICK_INTERVAL_MS;
    }
    int slow = rounds - QUICK_ROUNDS;
    return Math.min(MAX_BACKOFF_MS, 1_000L << Math.min(slow, 4));
  }

  /**
   * A checked reply arrived from {@code source}. Opens the path when it answers one of our
   * live nonces; a reply to an unknown or expired nonce opens nothing.
   */
  public Optional<Success> onReply(Probe reply, Endpoint source, long now) {
    if (!reply.reply() || !peer.equals(reply.from())) {
      return Optional.empty();
    }
    Sent sent = outstanding.remove(reply.echo());
    if (sent == null || now - sent.at > NONCE_LIFETIME_MS) {
      return Optional.empty();
    }
    addCandidate(source);
    return Optional.of(new Success(source, Math.max(0, now - sent.at), reply.observed(), !sent.inReply));
  }

  public int rounds() {
    return rounds;
  }

  /** When this attempt began (ms), for the time-to-direct figure. */
  public long startedAt() {
    return startedAt;
  }
}
