package org.kinmesh.node.link.udp;

import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.kinmesh.util.Jitter;

/**
 * A punched UDP path to one peer (pure; time in nanoseconds is passed in, datagrams to send are
 * returned). Our messages go out as one reliable stream with a random session id, preceded by
 * a signed OPEN for that session until the peer acknowledges any of it. The peer's messages
 * arrive on its stream, which we join (or re-join, when the peer restarted or opened a new
 * path) only after a verified OPEN of that session: a DATA frame of an unproven session is
 * dropped and counted, so a spoofed frame cannot replace a live stream. An OPEN is verified
 * only when its session differs from the current one (and within {@link SessionAuth}'s rate).
 * Heartbeats: a PING about every
 * {@link #HEARTBEAT_NANOS} (± {@link #HEARTBEAT_JITTER}, so the paths of a node do not ping in
 * lockstep), answered with a PONG, measure the round trip and keep the NAT mappings on both
 * sides alive (home routers drop idle UDP mappings after ~30 s or more).
 */
public final class UdpPathSession {
  public static final long HEARTBEAT_NANOS = 3_000_000_000L;
  /** Spread of each heartbeat interval: two missed ones still fit the selector's silence limit. */
  public static final double HEARTBEAT_JITTER = 0.1;
  /** Sessions of the peer we moved on from: their late duplicates must not re-open them. */
  private static final int RETIRED_SESSIONS = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * What one inbound frame produced; {@code unverified} when it was dropped because its session
   * was not (or could not be) proven by a signed OPEN.
   */
  public record Inbound(List<byte[]> messages, List<Buffer> replies, long rttNanos, boolean fromPeer,
      boolean unverified) {}

  private static final Inbound NOTHING = new Inbound(List.of(), List.of(), -1, false, false);
  private static final Inbound UNVERIFIED = new Inbound(List.of(), List.of(), -1, false, true);

  private final SessionAuth auth;
  private final ReliableSender sender;
  /** The peer acknowledged our stream, so it has accepted our OPEN: no more OPENs. */
  private boolean opened;
  /** The peer's proven session (by a verified OPEN), its OPEN's timestamp, and its stream once DATA came. */
  private long peerSession;
  private long peerOpenTs = -1;
  private ReliableReceiver receiver;
  private final Deque<Long> retired = new ArrayDeque<>();
  private long nextPingAt;
  private long pingNonce;
  private long pingSentAt = -1;
  private long lastHeard;

  public UdpPathSession(SessionAuth auth, long now) {
    this(auth, RANDOM.nextLong(), now);
  }

  UdpPathSession(SessionAuth auth, long mySession, long now) {
    this.auth = auth;
    this.sender = new ReliableSender(mySession);
    this.nextPingAt = now;
    this.lastHeard = now;
  }

  public long mySession() {
    return sender.session();
  }

  /** Datagrams for one message; see {@link ReliableSender#send} for the exceptions. */
  public List<Buffer> send(byte[] message, long now) {
    return withOpen(encode(sender.send(message, now)));
  }

  /** Until the peer acknowledged our stream, DATA goes out behind our OPEN (it may have been lost). */
  private List<Buffer> withOpen(List<Buffer> data) {
    if (!opened && !data.isEmpty()) {
      data.add(0, auth.open(sender.session()).encode());
    }
    return data;
  }

  /**
   * One inbound link frame. A DATA frame that contradicts its stream throws
   * IllegalArgumentException; frames for streams that are not ours are ignored, and DATA of a
   * session no verified OPEN announced is dropped (reported as {@code unverified}).
   */
  public Inbound onFrame(LinkFrame f, long now) {
    List<byte[]> messages = List.of();
    List<Buffer> replies = new ArrayList<>(1);
    long rtt = -1;
    if (f instanceof LinkFrame.Open o) {
      if (o.session() == peerSession && peerOpenTs >= 0 || retired.contains(o.session())) {
        return NOTHING; // a repeat of the open we hold (no second check), or a stream we moved on from
      }
      // Not older than the open we hold: an old OPEN replayed cannot take the path back.
      if (o.ts() < peerOpenTs || auth.check(o) != SessionAuth.Verdict.OK) {
        return UNVERIFIED;
      }
      retire();
      receiver = null;
      peerSession = o.session();
      peerOpenTs = o.ts();
      // A new session is a new path on the peer's side (it restarted, or closed ours while it
      // had deauthorized us): it knows nothing of our stream, so announce it again.
      opened = false;
    } else if (f instanceof LinkFrame.Data d) {
      if (receiver == null || receiver.session() != d.session()) {
        if (peerOpenTs < 0 || d.session() != peerSession || receiver != null) {
          return retired.contains(d.session()) ? NOTHING : UNVERIFIED;
        }
        receiver = new ReliableReceiver(d.session(), d.base());
      }
      messages = receiver.onData(d);
      replies.add(receiver.ack().encode());
    } else if (f instanceof LinkFrame.Ack a && a.session() == sender.session()) {
      opened = true;
      replies.addAll(encode(sender.onAck(a, now)));
    } else if (f instanceof LinkFrame.Ping p) {
      replies.add(new LinkFrame.Pong(p.session(), p.nonce()).encode());
    } else if (f instanceof LinkFrame.Pong p && p.session() == sender.session() && pingSentAt >= 0
        && p.nonce() == pingNonce) {
      rtt = now - pingSentAt;
      pingSentAt = -1;
    } else {
      return NOTHING;
    }
    lastHeard = now;
    return new Inbound(messages, replies, rtt, true, false);
  }

  private void retire() {
    if (peerOpenTs >= 0) {
      retired.addLast(peerSession);
      if (retired.size() > RETIRED_SESSIONS) {
        retired.removeFirst();
      }
    }
  }

  /**
   * Retransmissions and the heartbeat, when due. A retransmission always goes out behind our
   * OPEN, acknowledged or not: a peer whose path timed out while we slept (or that set its path
   * up anew) no longer knows our stream and drops its DATA as unproven; the OPEN lets it join
   * again at the first retry instead of after our retries run out. A peer that still holds our
   * stream drops the repeat without checking it.
   */
  public List<Buffer> tick(long now) {
    List<Buffer> again = encode(sender.due(now));
    if (opened && !again.isEmpty()) {
      again.add(0, auth.open(sender.session()).encode());
    }
    List<Buffer> out = withOpen(again);
    if (now >= nextPingAt) {
      pingNonce = RANDOM.nextLong();
      pingSentAt = now;
      nextPingAt = now + Jitter.around(HEARTBEAT_NANOS / 1_000_000L, HEARTBEAT_JITTER) * 1_000_000L;
      out.add(new LinkFrame.Ping(sender.session(), pingNonce).encode());
    }
    return out;
  }

  public long nextDeadline() {
    return Math.min(nextPingAt, sender.nextDeadline());
  }

  /** Retransmissions ran out: the path is dead even if heartbeats still come back. */
  public boolean failed() {
    return sender.failed();
  }

  public long lastHeard() {
    return lastHeard;
  }

  public long srttNanos() {
    return sender.srttNanos();
  }

  /** Messages to move to another path after this one failed. */
  public List<byte[]> unacknowledged() {
    return sender.unacknowledged();
  }

  private static List<Buffer> encode(List<LinkFrame.Data> frames) {
    List<Buffer> out = new ArrayList<>(frames.size());
    frames.forEach(f -> out.add(f.encode()));
    return out;
  }
}
