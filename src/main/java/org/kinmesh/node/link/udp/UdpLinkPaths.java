package org.kinmesh.node.link.udp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * The node's punched UDP paths, one per peer, keyed both by peer key and by the peer's DATA
 * session id (how an inbound frame finds its path). No I/O: the owner (LinksVerticle) passes
 * inbound frames and the time in, and gets back what to put on the socket and what to do.
 */
public final class UdpLinkPaths {
  /** What the owner must do with the results; all calls happen on the owner's event loop. */
  public interface Sink {
    void datagram(Endpoint to, Buffer data);

    void delivered(String peer, String payload);

    /** Something arrived from the peer on its UDP path (rttNanos ≥ 0 when a heartbeat was timed). */
    void heard(String peer, long rttNanos);

    /** Retransmissions ran out; the path is gone and these messages still need a way there. */
    void failed(String peer, List<byte[]> unacknowledged);
  }

  private static final class Path {
    final String peer;
    Endpoint endpoint;
    final UdpPathSession session;

    Path(String peer, Endpoint endpoint, UdpPathSession session) {
      this.peer = peer;
      this.endpoint = endpoint;
      this.session = session;
    }
  }

  private final Sink sink;
  private final Map<String, Path> byPeer = new HashMap<>();
  private final Map<Long, Path> byPeerSession = new HashMap<>();
  private final Map<Long, Path> byMySession = new HashMap<>();
  private long protocolErrors;
  private long unknownSession;

  public UdpLinkPaths(Sink sink) {
    this.sink = sink;
  }

  /**
   * A punch opened (or re-confirmed) a path. Same sessions: the endpoint is updated and the
   * stream goes on; new sessions (either side restarted): a fresh stream, and whatever the old
   * one had not delivered is handed back through {@link Sink#failed} to be sent again.
   */
  public void open(String peer, Endpoint endpoint, long mySession, long peerSession, long now) {
    Path old = byPeer.get(peer);
    if (old != null && old.session.mySession() == mySession && old.session.peerSession() == peerSession) {
      old.endpoint = endpoint;
      return;
    }
    List<byte[]> pending = old == null ? List.of() : old.session.unacknowledged();
    if (old != null) {
      close(peer);
    }
    Path p = new Path(peer, endpoint, new UdpPathSession(mySession, peerSession, now));
    byPeer.put(peer, p);
    byPeerSession.put(peerSession, p);
    byMySession.put(mySession, p);
    for (byte[] m : pending) {
      send(p, m, now);
    }
  }

  public boolean has(String peer) {
    return byPeer.containsKey(peer);
  }

  public Endpoint endpoint(String peer) {
    Path p = byPeer.get(peer);
    return p == null ? null : p.endpoint;
  }

  /** Smoothed RTT in ms of the peer's path, or -1. */
  public long rttMillis(String peer) {
    Path p = byPeer.get(peer);
    return p == null || p.session.srttNanos() < 0 ? -1 : p.session.srttNanos() / 1_000_000L;
  }

  /** Closes the peer's path (deauthorized, or traffic moved away for good). */
  public void close(String peer) {
    Path p = byPeer.remove(peer);
    if (p != null) {
      byPeerSession.remove(p.session.peerSession());
      byMySession.remove(p.session.mySession());
    }
  }

  /**
   * Sends one payload on the peer's path; false when there is none or it refused (full queue,
   * oversized message): the caller uses another path.
   */
  public boolean send(String peer, String payload, long now) {
    Path p = byPeer.get(peer);
    return p != null && send(p, payload.getBytes(StandardCharsets.UTF_8), now);
  }

  private boolean send(Path p, byte[] message, long now) {
    try {
      for (Buffer d : p.session.send(message, now)) {
        sink.datagram(p.endpoint, d);
      }
      return true;
    } catch (IllegalArgumentException | IllegalStateException refused) {
      return false;
    }
  }

  /** An inbound link datagram. */
  public void onDatagram(Buffer data, long now) {
    LinkFrame f;
    try {
      f = LinkFrame.parse(data);
    } catch (IllegalArgumentException e) {
      protocolErrors++;
      return;
    }
    // DATA, PING and PONG carry their sender's session; an ACK carries the session of the
    // stream it acknowledges, which is ours.
    Path p = f instanceof LinkFrame.Ack ? byMySession.get(f.session()) : byPeerSession.get(f.session());
    if (p == null) {
      unknownSession++;
      return;
    }
    UdpPathSession.Inbound in;
    try {
      in = p.session.onFrame(f, now);
    } catch (IllegalArgumentException broken) {
      protocolErrors++;
      close(p.peer);
      sink.failed(p.peer, p.session.unacknowledged());
      return;
    }
    for (Buffer r : in.replies()) {
      sink.datagram(p.endpoint, r);
    }
    sink.heard(p.peer, in.rttNanos());
    for (byte[] m : in.messages()) {
      sink.delivered(p.peer, new String(m, StandardCharsets.UTF_8));
    }
  }

  /** Retransmissions, heartbeats and failures that are due; returns when to call again. */
  public long tick(long now) {
    long next = Long.MAX_VALUE;
    for (Path p : List.copyOf(byPeer.values())) {
      for (Buffer d : p.session.tick(now)) {
        sink.datagram(p.endpoint, d);
      }
      if (p.session.failed()) {
        close(p.peer);
        sink.failed(p.peer, p.session.unacknowledged());
        continue;
      }
      next = Math.min(next, p.session.nextDeadline());
    }
    return next;
  }

  public long protocolErrors() {
    return protocolErrors;
  }

  public long unknownSession() {
    return unknownSession;
  }
}
