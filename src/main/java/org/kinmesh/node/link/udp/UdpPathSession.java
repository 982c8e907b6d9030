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
 * returned). Our messages go out as one reliable stream with a random session id; the peer's
 * arrive on its stream, which we join (or re-join, when the peer restarted or opened a new
 * path) the first time a DATA frame of a new session arrives. Heartbeats: a PING about every
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

  /** What one inbound frame produced. */
  public record Inbound(List<byte[]> messages, List<Buffer> replies, long rttNanos, boolean fromPeer) {}

  private final ReliableSender sender;
  private ReliableReceiver receiver;
  private final Deque<Long> retired = new ArrayDeque<>();
  private long nextPingAt;
  private long pingNonce;
  private long pingSentAt = -1;
  private long lastHeard;

  public UdpPathSession(long now) {
    this(RANDOM.nextLong(), now);
  }

  UdpPathSession(long mySession, long now) {
    this.sender = new ReliableSender(mySession);
    this.nextPingAt = now;
    this.lastHeard = now;
  }

  public long mySession() {
    return sender.session();
  }

  /** Datagrams for one message; see {@link ReliableSender#send} for the exceptions. */
  public List<Buffer> send(byte[] message, long now) {
    return encode(sender.send(message, now));
  }

  /**
   * One inbound link frame. A DATA frame that contradicts its stream throws
   * IllegalArgumentException; frames for streams that are not ours are ignored.
   */
  public Inbound onFrame(LinkFrame f, long now) {
    List<byte[]> messages = List.of();
    List<Buffer> replies = new ArrayList<>(1);
    long rtt = -1;
    if (f instanceof LinkFrame.Data d) {
      if (receiver == null || receiver.session() != d.session()) {
        if (retired.contains(d.session())) {
          return new Inbound(List.of(), List.of(), -1, false);
        }
        retire();
        receiver = new ReliableReceiver(d.session(), d.base());
      }
      messages = receiver.onData(d);
      replies.add(receiver.ack().encode());
    } else if (f instanceof LinkFrame.Ack a && a.session() == sender.session()) {
      replies.addAll(encode(sender.onAck(a, now)));
    } else if (f instanceof LinkFrame.Ping p) {
      replies.add(new LinkFrame.Pong(p.session(), p.nonce()).encode());
    } else if (f instanceof LinkFrame.Pong p && p.session() == sender.session() && pingSentAt >= 0
        && p.nonce() == pingNonce) {
      rtt = now - pingSentAt;
      pingSentAt = -1;
    } else {
      return new Inbound(List.of(), List.of(), -1, false);
    }
    lastHeard = now;
    return new Inbound(messages, replies, rtt, true);
  }

  private void retire() {
    if (receiver != null) {
      retired.addLast(receiver.session());
      if (retired.size() > RETIRED_SESSIONS) {
        retired.removeFirst();
      }
    }
  }

  /** Retransmissions and the heartbeat, when due. */
  public List<Buffer> tick(long now) {
    List<Buffer> out = encode(sender.due(now));
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
