package org.kinmesh.node.link;

import org.kinmesh.chain.AuthorizedSet;
import org.kinmesh.node.NodeAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Identity;
import org.kinmesh.punch.PunchAddresses;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's links to its authorized peers, over up to three paths behind the same event-bus
 * addresses: a WebSocket over TCP ({@link TcpLinks}, dialed by {@link TcpDialer}), a punched UDP
 * stream ({@link UdpPaths}, set up by {@link Punching}) and the relay ({@link RelayedPath});
 * {@link Router} sends on the peer's chosen path and {@link PeerEvents} says when a peer is up or
 * down. This verticle wires them and owns the event-bus addresses. docs/links.md has the frames.
 */
public final class LinksVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public LinksVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  /** The Punch verticle answers from memory; a slow answer means it is not running. */
  private static final DeliveryOptions PUNCH_ASK = new DeliveryOptions().setSendTimeout(1_000);

  private final LinkSettings settings;
  private final Identity identity;
  private final TimeSource clock;
  private final PathPolicy policy;
  private final String genesis;
  private final UdpAddresses udpAddresses;
  private final LinkCounters counters;
  private LinkContext ctx;
  private PathTimer pathTimer;
  private TcpLinks tcp;
  private UdpPaths udp;
  private Punching punching;
  private Router router;
  private PeerRoster roster;
  private long queryTimer = -1;
  private int queryFailures;
  private volatile int boundPort = -1;

  /**
   * @param clock wall clock for hello timestamps, last_seen and rate limits (a manual one in
   *     tests); backoff and breaker timing run on Vert.x timers and the monotonic clock
   */
  public LinksVerticle(LinkSettings settings, Identity identity, TimeSource clock) {
    this(settings, identity, clock, PathPolicy.AUTO, UdpAddresses.DEFAULT);
  }

  /** As below, for links that all share one (unnamed) genesis: tests of the links alone. */
  public LinksVerticle(LinkSettings settings, Identity identity, TimeSource clock, PathPolicy policy,
      UdpAddresses udp) {
    this(settings, identity, clock, policy, udp, org.kinmesh.chain.Block.ZERO_HASH);
  }

  /**
   * @param policy which paths may carry traffic (force_relay / direct_only)
   * @param udp the addresses of the node's UdpTransport, for punched UDP paths
   * @param genesis our genesis block's hash, which every peer's hello must name
   */
  public LinksVerticle(LinkSettings settings, Identity identity, TimeSource clock, PathPolicy policy,
      UdpAddresses udp, String genesis) {
    this.genesis = genesis;
    this.settings = settings;
    this.identity = identity;
    this.clock = clock;
    this.policy = policy;
    this.udpAddresses = udp;
    this.counters = new LinkCounters();
  }

  /** The TCP port links listen on; meaningful once start has completed. */
  /** The link port's connection refusals and deadline closes (docs/security.md). */
  public org.kinmesh.net.ConnectionGuard.Stats connectionStats() {
    return tcp.connectionStats;
  }

  public int boundPort() {
    return boundPort;
  }

  public LinkCounters counters() {
    return counters;
  }

  @Override
  public Future<?> start() {
    org.kinmesh.bus.LocalCodec.register(vertx, AuthorizedSet.class);
    org.kinmesh.bus.LocalCodec.register(vertx, LinkMessage.class);
    org.kinmesh.bus.LocalCodec.register(vertx, org.kinmesh.stun.StunView.class);
    ctx = new LinkContext(vertx, settings, identity, clock, policy, genesis, counters);
    ctx.addresses = addresses;
    PeerEvents events = new PeerEvents(ctx);
    pathTimer = new PathTimer(ctx, events);
    RelayedPath relayed = new RelayedPath(ctx, events, pathTimer, this::received, p -> {
      // The peer takes no direct link (force_relay): drop every direct path to it, and stop punching.
      tcp.peerForcesRelay(p);
      udp.close(p.key);
      vertx.eventBus().send(addresses.punch().stop(), new JsonObject().put("peer", p.key));
    });
    // Called only once messages flow, after every part below exists.
    udp = new UdpPaths(ctx, udpAddresses, events, pathTimer, new UdpPaths.Listener() {
      @Override
      public void delivered(String peer, byte[] payload) {
        publishInbound(peer, payload);
      }

      @Override
      public void failed(Peer p, List<byte[]> unacknowledged) {
        for (byte[] m : unacknowledged) {
          router.route(p, m);
        }
        punching.punch(p);
      }
    });
    pathTimer.watch(udp, relayed);
    ctx.refusals.onRefused(p -> {
      udp.close(p.key);
      vertx.eventBus().send(addresses.punch().stop(), new JsonObject().put("peer", p.key));
    });
    punching = new Punching(ctx, udp, relayed);
    tcp = new TcpLinks(ctx, events, pathTimer, new PeerEndpoints(ctx, punching::punch), this::received);
    router = new Router(ctx, events, udp, relayed);
    roster = new PeerRoster(ctx, events, tcp, udp, relayed);

    var bus = vertx.eventBus();
    List<Future<Void>> ready = new ArrayList<>();
    ready.add(bus.<AuthorizedSet>localConsumer(addresses.chain().authorizedSet(), m -> roster.apply(m.body())).completion());
    ready.add(bus.<LinkMessage>localConsumer(addresses.links().send(), m -> router.send(m.body())).completion());
    ready.add(bus.<LinkMessage>localConsumer(addresses.links().broadcast(), m -> router.broadcast(m.body())).completion());
    ready.add(bus.<Object>consumer(addresses.api().peersStatus(), m -> peersStatus().onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result());
      } else {
        m.fail(500, "peers status failed: " + ar.cause());
      }
    })).completion());
    ready.add(bus.<JsonObject>localConsumer(addresses.punch().path(), m -> udp.onPunched(m.body())).completion());
    ready.add(bus.<JsonObject>localConsumer(addresses.relayed().state(), m -> relayed.onState(m.body())).completion());
    ready.add(bus.<org.kinmesh.stun.StunView>localConsumer(addresses.stun().state(), m -> punching.onStunState(m.body())).completion());
    EndpointNews news = new EndpointNews(ctx, tcp, udp, punching);
    ready.add(bus.<JsonObject>localConsumer(addresses.gossip().peerTableUpdated(), m -> news.onPeerTable(m.body()))
        .completion());
    ready.add(bus.<JsonObject>localConsumer(addresses.relayed().inbound(), m -> relayed.onInbound(m.body())).completion());
    ready.add(bus.<JsonObject>localConsumer(addresses.relayed().undeliverable(), m -> relayed.onUndeliverable(m.body()))
        .completion());
    ready.add(bus.<UdpDatagram>consumer(udpAddresses.inbound(DatagramKind.LINK), m -> udp.onDatagram(m.body()))
        .completion());
    return Future.all(ready).compose(v -> tcp.start()).onSuccess(port -> {
      ctx.boundPort = port;
      boundPort = port;
      LOG.info("{} op=links.start listening on {}:{}", ctx.log, settings.listenHost(), port);
      queryAuthorized();
    });
  }

  @Override
  public Future<?> stop() {
    ctx.stopping = true;
    if (queryTimer >= 0) {
      vertx.cancelTimer(queryTimer);
    }
    pathTimer.cancel();
    return tcp.stop();
  }

  /** PEERS_STATUS, with the punch attempts' rounds for the reasons (none when the Punch verticle does not answer). */
  private Future<JsonObject> peersStatus() {
    return vertx.eventBus().<JsonObject>request(addresses.punch().status(), new JsonObject(), PUNCH_ASK)
        .map(m -> m.body().getJsonArray("attempts"))
        .otherwise(e -> null)
        .map(attempts -> LinkStatus.of(ctx, udp, punching.ownNat(), attempts));
  }

  /** Asks the ledger for the set until it answers or publishes one (it may start after us). */
  private void queryAuthorized() {
    queryTimer = -1;
    if (ctx.stopping || ctx.authorizedHeight >= 0) {
      return;
    }
    vertx.eventBus().<AuthorizedSet>request(addresses.chain().authorizedSetQuery(), new JsonObject(),
        new DeliveryOptions().setSendTimeout(5_000)).onComplete(ar -> {
          if (ar.succeeded()) {
            roster.apply(ar.result().body());
          } else if (!ctx.stopping && ctx.authorizedHeight < 0) {
            queryFailures++;
            queryTimer = vertx.setTimer(Jitter.around(settings.retryBackoff().delayMillis(queryFailures), 0.1),
                id -> queryAuthorized());
          }
        });
  }

  /** From a peer over TCP or the relay: a link control message (call-me), or a payload for the node. */
  private void received(Peer p, String from, String payload) {
    if (CallMe.isControl(payload)) {
      if (p != null) {
        punching.onControl(p, payload);
      }
      return;
    }
    publishInbound(from, payload.getBytes(StandardCharsets.UTF_8));
  }

  private void publishInbound(String from, byte[] payload) {
    Peer p = ctx.peer(from);
    if (p != null) {
      p.bytesIn += payload.length;
    }
    vertx.eventBus().publish(addresses.links().inbound(), new LinkMessage(from, payload));
  }
}
