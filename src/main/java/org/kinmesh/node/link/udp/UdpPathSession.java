package org.kinmesh.node.link.udp;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A punched UDP path to one peer (pure; time in nanoseconds is passed in, datagrams to send are
 * returned). Reliable, ordered messages through {@link ReliableSender}/{@link ReliableReceiver},
 * plus heartbeats: a PING every {@link #HEARTBEAT_NANOS} that the peer answers with a PONG,
 * which measures the round trip and keeps the NAT mappings on both sides alive (well under
 * the ~30 s many home routers keep an idle UDP mapping).
 */
public final class UdpPathSession {
  public static final long HEARTBEAT_NANOS = 3_000_000_000L;

  /** What one inbound frame produced. */
  public record Inbound(List<byte[]> messages, List<Buffer> replies, long rttNanos) {}

  private final long mySession;
  private final long peerSession;
  private final ReliableSender sender;
  private final ReliableReceiver receiver;
  private long nextPingAt;
  private long pingNonce;
  private long pingSentAt = -1;
  private long lastHeard;

  public UdpPathSession(long mySession, long peerSession, long now) {
    this.mySession = mySession;
    this.peerSession = peerSession;
    this.sender = new ReliableSender(mySession);
    this.receiver = new ReliableReceiver(peerSession);
    this.nextPingAt = now;
    this.lastHeard = now;
  }

  public long mySession() {
    return mySession;
  }

  public long peerSession() {
    return peerSession;
  }

  /** Datagrams for one message; see {@link ReliableSender#send} for the exceptions. */
  public List<Buffer> send(byte[] message, long now) {
    return encode(sender.send(message, now));
  }

  /**
   * One inbound link frame. Frames of other sessions are ignored (an old incarnation of the
   * peer, or junk); a DATA frame that contradicts the stream throws IllegalArgumentException.
   */
  public Inbound onFrame(LinkFrame f, long now) {
    List<byte[]> messages = List.of();
    List<Buffer> replies = new ArrayList<>(1);
    long rtt = -1;
    if (f instanceof LinkFrame.Data d && d.session() == peerSession) {
      messages = receiver.onData(d);
      replies.add(receiver.ack().encode());
    } else if (f instanceof LinkFrame.Ack a && a.session() == mySession) {
      replies.addAll(encode(sender.onAck(a, now)));
    } else if (f instanceof LinkFrame.Ping p && p.session() == peerSession) {
      replies.add(new LinkFrame.Pong(mySession, p.nonce()).encode());
    } else if (f instanceof LinkFrame.Pong p && p.session() == peerSession && pingSentAt >= 0
        && p.nonce() == pingNonce) {
      rtt = now - pingSentAt;
      pingSentAt = -1;
    } else {
      return new Inbound(List.of(), List.of(), -1);
    }
    lastHeard = now;
    return new Inbound(messages, replies, rtt);
  }

  /** Retransmissions and the heartbeat, when due. */
  public List<Buffer> tick(long now) {
    List<Buffer> out = encode(sender.due(now));
    if (now >= nextPingAt) {
      pingNonce = ThreadLocalRandom.current().nextLong();
      pingSentAt = now;
      nextPingAt = now + HEARTBEAT_NANOS;
      out.add(new LinkFrame.Ping(mySession, pingNonce).encode());
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
