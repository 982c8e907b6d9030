package org.kinmesh.punch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * One hole-punching attempt toward one peer (pure; time in milliseconds is passed in). Each
 * round sends a probe with a fresh nonce to every candidate endpoint; the first signed reply
 * that echoes one of our live nonces opens the path, at the address the reply actually came
 * from (for a peer behind a symmetric NAT that is a peer-reflexive address we never had as a
 * candidate). Rounds come quickly at first, both sides probing at once, then back off.
 */
public final class PunchAttempt {
  /** Quick rounds: every 100 ms for 3 s, so two sides probing at once meet well under a second. */
  static final long QUICK_INTERVAL_MS = 100;
  static final int QUICK_ROUNDS = 30;
  /** Then 1, 2, 4, 8, 16, 30, 30, ... s. */
  static final long MAX_BACKOFF_MS = 30_000;
  /** A nonce is answerable this long (a reply after that is treated as unknown). */
  static final long NONCE_LIFETIME_MS = 10_000;
  /** Candidates kept per peer: the six of gossip plus a few peer-reflexive ones. */
  static final int MAX_CANDIDATES = 10;

  public record Outgoing(Endpoint to, String nonce) {}

  public record Success(Endpoint endpoint, long rttMillis, String observedSelf) {}

  private record Sent(Endpoint to, long at) {}

  private final String peer;
  private final LinkedHashSet<Endpoint> candidates = new LinkedHashSet<>();
  private final Map<String, Sent> outstanding = new LinkedHashMap<>();
  private final java.util.function.Supplier<String> nonces;
  private int rounds;
  private long nextRoundAt;

  public PunchAttempt(String peer, List<Endpoint> candidates, long now, java.util.function.Supplier<String> nonces) {
    this.peer = peer;
    this.nonces = nonces;
    candidates.forEach(this::addCandidate);
    this.nextRoundAt = now;
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
      outstanding.put(nonce, new Sent(e, now));
      out.add(new Outgoing(e, nonce));
    }
    rounds++;
    nextRoundAt = now + delayAfter(rounds);
    return out;
  }

  static long delayAfter(int rounds) {
    if (rounds < QUICK_ROUNDS) {
      return QUICK_INTERVAL_MS;
    }
    int slow = rounds - QUICK_ROUNDS;
    return Math.min(MAX_BACKOFF_MS, 1_000L << Math.min(slow, 5));
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
    return Optional.of(new Success(source, Math.max(0, now - sent.at), reply.observed()));
  }

  public int rounds() {
    return rounds;
  }
}
