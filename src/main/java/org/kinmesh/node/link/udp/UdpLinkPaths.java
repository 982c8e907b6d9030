package org.kinmesh.node.link.udp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kinmesh.crypto.Identity;
import org.kinmesh.util.TimeSource;
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

    void delivered(String peer, byte[] payload);

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
  private final Identity identity;
  private final String blockchainId;
  private final TimeSource clock;
  private final Map<String, Path> byPeer = new HashMap<>();
  /** Inbound frames find their path by where they came from: the address the punch confirmed. */
  private final Map<Endpoint, Path> byEndpoint = new HashMap<>();
  private long protocolErrors;
  private long unknownSource;
  private long unverified;

  /** {@code identity}, {@code blockchainId} and the wall {@code clock} sign and check the paths' OPEN frames. */
  public UdpLinkPaths(Sink sink, Identity identity, String blockchainId, TimeSource clock) {
    this.sink = sink;
    this.identity = identity;
    this.blockchainId = blockchainId;
    this.clock = clock;
  }

  /**
   * A punch opened (or re-confirmed) a path at {@code endpoint}. An existing path keeps its
   * stream and only moves to the new address; a new one starts a fresh stream.
   *
   * @return whether anything changed (a new path, or a new address)
   */
  public boolean open(String peer, Endpoint endpoint, long now) {
    Path p = byPeer.get(peer);
    if (p == null) {
      p = new Path(peer, endpoint,
          new UdpPathSession(new SessionAuth(identity, blockchainId, peer, clock), now));
      byPeer.put(peer, p);
    } else if (!p.endpoint.equals(endpoint)) {
      byEndpoint.remove(p.endpoint);
      p.endpoint = endpoint;
    } else {
      return false;
    }
    Path other = byEndpoint.put(endpoint, p);
    if (other != null && other != p) {
      close(other.peer); // two peers cannot share an address; the newer punch wins
      byEndpoint.put(endpoint, p);
    }
    return true;
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

  /** Closes the peer's path (deauthorized, or it failed). */
  public void close(String peer) {
    Path p = byPeer.remove(peer);
    if (p != null && byEndpoint.get(p.endpoint) == p) {
      byEndpoint.remove(p.endpoint);
    }
  }

  /**
   * Sends one payload on the peer's path; false when there is none or it refused (full queue,
   * oversized message): the caller uses another path.
   */
  public boolean send(String peer, byte[] payload, long now) {
    Path p = byPeer.get(peer);
    if (p == null) {
      return false;
    }
    try {
      for (Buffer d : p.session.send(payload, now)) {
        sink.datagram(p.endpoint, d);
      }
      return true;
    } catch (IllegalArgumentException | IllegalStateException refused) {
      return false;
    }
  }

  /** An inbound link datagram from {@code source}. */
  public void onDatagram(Endpoint source, Buffer data, long now) {
    Path p = byEndpoint.get(source);
    if (p == null) {
      unknownSource++;
      return;
    }
    LinkFrame f;
    try {
      f = LinkFrame.parse(data);
    } catch (IllegalArgumentException e) {
      protocolErrors++;
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
    if (in.unverified()) {
      unverified++;
      return;
    }
    for (Buffer r : in.replies()) {
      sink.datagram(p.endpoint, r);
    }
    if (in.fromPeer()) {
      sink.heard(p.peer, in.rttNanos());
    }
    for (byte[] m : in.messages()) {
      sink.delivered(p.peer, m);
    }
  }

  /** Retransmissions, heartbeats and failures that are due; returns when (nanos) to call again. */
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

  public long unknownSource() {
    return unknownSource;
  }

  /** Frames dropped because no verified OPEN proved their session (spoofed, or an OPEN was lost). */
  public long unverified() {
    return unverified;
  }
}
