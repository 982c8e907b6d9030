package org.kinmesh.node;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.chain.Block;
import org.kinmesh.consensus.pbft.PbftConfig;
import org.kinmesh.gossip.GossipVerticle;
import org.kinmesh.node.link.LinkSettings;
import org.kinmesh.node.link.LinksVerticle;
import org.kinmesh.node.relay.RelayClientSettings;
import org.kinmesh.node.relay.RelayClientVerticle;
import org.kinmesh.node.relay.RelayedConnectionVerticle;
import org.kinmesh.node.relay.RelayedSettings;
import org.kinmesh.node.link.PathPolicy;
import org.kinmesh.crypto.Identity;
import org.kinmesh.punch.PunchVerticle;
import org.kinmesh.udp.UdpTransport;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kinmesh node: deploys its verticles in the design's start-up order (ledger first, the
 * API last, so nothing answers before the chain is loaded) and undeploys them in reverse.
 * Embeddable: deploy it in a host Vert.x and talk to it on the event bus (docs/embedding.md).
 */
public final class Node extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final Identity identity;
  private final Block genesis;
  private final TimeSource clock;
  private final List<String> deployments = new ArrayList<>();
  /** Every event-bus address of this node, from its bus_namespace. */
  private final NodeAddresses addresses;
  private final BusNamespaces.Claim claim;
  /** What start() is doing now, for a start-up failure's message (read on another thread). */
  private volatile String startStep = "not started";
  private NodeApiVerticle api;
  private DataDirLock dataDirLock;

  public Node(NodeConfig config, Identity identity, Block genesis, TimeSource clock) {
    this.config = config;
    this.identity = identity;
    this.genesis = genesis;
    this.clock = clock;
    this.addresses = NodeAddresses.of(config.busScope());
    this.claim = new BusNamespaces.Claim(config.busScope().namespace(), identity.shortId());
  }

  /** The deployment ids of this node's verticles, in start order (a test maps a delivery to its node). */
  List<String> deploymentIds() {
    return List.copyOf(deployments);
  }

  /** This node's event-bus addresses: the public ones under its bus_namespace, and its internal wiring. */
  public NodeAddresses addresses() {
    return addresses;
  }

  /** Reads and checks the genesis file named by the config. */
  public static Block readGenesis(NodeConfig config) throws IOException, WireException {
    Block genesis = Block.parse(Files.readAllBytes(config.genesisPath()));
    if (config.blockchainId() != null && !config.blockchainId().equals(genesis.blockchainId())) {
      throw WireException.malformed("genesis is for blockchain '" + genesis.blockchainId() + "', config says '"
          + config.blockchainId() + "'");
    }
    return genesis;
  }

  public int apiPort() {
    return api == null ? -1 : api.actualPort();
  }

  public int linkPort() {
    return links == null ? -1 : links.boundPort();
  }

  private static final int PORT_PAIR_ATTEMPTS = 5;
  private LinksVerticle links;
  private UdpTransport udp;

  /** What start() is doing (e.g. "opening the ledger database in data_dir"), or "started". */
  public String startingStep() {
    return startStep;
  }

  /** The node's single UDP socket's port (STUN, gossip, punch, link data). */
  public int udpPort() {
    return udp == null ? -1 : udp.boundPort();
  }

  /**
   * Start-up order of the design (ARCHITECTURE.md, "gossip first and relay last"): the chain first (it
   * decides who may connect), the UDP socket, hole punching, STUN (the socket's public endpoint and NAT
   * type; it does not wait for the first answer), gossip (the peer cache, then announce and pull), then
   * the links (listening, and dialing each peer at the endpoint the peer table gives, the relay's
   * otherwise), the relay client (publishing our endpoint, answering lookups), the relayed connection,
   * consensus, and the API last.
   */
  @Override
  public Future<?> start() {
    String chain = genesis.blockchainId();
    api = new NodeApiVerticle(config.apiListen(), config.apiPortFile(), identity.publicKeyHex(),
        config.adminAllowRemote(), config.serverLimits(), config.apiAllowedHosts()).scoped(addresses);
    PbftConfig pbft = new PbftConfig(chain, config.blockIntervalMs(), config.emptyBlockIntervalMs(),
        Math.max(config.intervals().viewChangeTimeoutMs(), config.emptyBlockIntervalMs() * 2),
        Math.max(160_000, config.emptyBlockIntervalMs() * 32), 16, 32, 32, 2_000);
    // One node per data_dir, before anything opens a file in it (issue 12.4).
    return vertx.executeBlocking(() -> DataDirLock.acquire(config.dataDir()), false)
        .compose(l -> {
          dataDirLock = l;
          // One node per bus_namespace in this Vert.x: two would answer each other's addresses.
          String taken = BusNamespaces.claim(vertx, claim);
          if (taken != null) {
            return Future.failedFuture(new IllegalStateException(taken));
          }
          return deploy(new ClockWatchVerticle(clock, LinkSettings.FRESHNESS_SECS).scoped(addresses));
        })
        .compose(v -> deploy(new LedgerVerticle(config.ledgerDb(), genesis, clock).scoped(addresses)))
        .compose(v -> bindSocketPair(chain, PORT_PAIR_ATTEMPTS))
        // force_relay registers no endpoint at the relay: peers would dial it (issue 12.7). Relayed
        // traffic is routed by the relayed connection's authenticated key, not by the registration.
        .compose(v -> config.pathPolicy() == PathPolicy.FORCE_RELAY ? Future.<Void>succeededFuture()
            : deploy(new RelayClientVerticle(RelayClientSettings.fromConfig(config, chain, links.boundPort()),
            identity, clock).scoped(addresses)))
        .compose(v -> config.pathPolicy() == PathPolicy.DIRECT_ONLY ? Future.<Void>succeededFuture()
            : deploy(new RelayedConnectionVerticle(RelayedSettings.fromConfig(config, chain), identity, clock)
                .scoped(addresses)))
        .compose(v -> deploy(new ConsensusVerticle(pbft, config.quorum(), identity, clock).scoped(addresses)))
        .compose(v -> deploy(api))
        .onSuccess(v -> startStep = "started")
        .onSuccess(v -> LOG.info("op=node_start node={} chain={} api={} port={} (udp and tcp)", identity.shortId(),
            chain, api.actualPort(), udp.boundPort()))
        .onFailure(e -> undeployAll(deployments).onComplete(v -> releaseLock()));
  }

  /**
   * The node's endpoint is one port number for both protocols: the UDP socket (STUN, gossip,
   * punch, link data) and the TCP links listener. So the endpoint STUN and gossip spread is
   * also the one peers dial over TCP. With port 0 the UDP socket picks a free port first and
   * the links take the same number over TCP; when that TCP port is taken, everything started on
   * the UDP socket is undeployed and another pair is tried. Punch, STUN and gossip start between
   * the two, so the links' first dials already find the peer cache (gossip first, relay last).
   */
  private Future<Void> bindSocketPair(String chain, int attemptsLeft) {
    udp = new UdpTransport(linkListenHost(), config.gossipUdpPort(), addresses.udp());
    startStep = StartStep.of(udp);
    List<String> onSocket = new ArrayList<>();
    return vertx.deployVerticle(udp).recover(e -> Future.failedFuture(org.kinmesh.net.BindFailure.describe(e, "UDP",
        linkListenHost(), config.gossipUdpPort(), "gossip_udp_port (or listen_host)"))).compose(udpId -> {
      onSocket.add(udpId);
      Future<Void> beside = deployOn(onSocket, new PunchVerticle(chain, genesis.hash(), identity, clock, addresses.udp())
          .scoped(config.busScope()).refuseAll(config.pathPolicy() == PathPolicy.FORCE_RELAY))
          .compose(v -> deployOn(onSocket, new org.kinmesh.stun.StunVerticle(
              PackageSettings.stun(config), addresses.udp()).scoped(config.busScope())))
          .compose(v -> deployOn(onSocket, new GossipVerticle(PackageSettings.gossip(config, chain), identity,
              clock, addresses.udp(), addresses.gossip())
              .silent(config.pathPolicy() == PathPolicy.FORCE_RELAY)));
      return beside.recover(e -> undeployAll(onSocket).compose(v -> Future.<Void>failedFuture(e))).compose(v -> {
        links = new LinksVerticle(LinkSettings.fromConfig(config, chain, linkListenHost(), udp.boundPort()),
            identity, clock, config.pathPolicy(), addresses.udp(), genesis.hash()).scoped(addresses);
        startStep = StartStep.of(links);
        return vertx.deployVerticle(links).<Void>map(linksId -> {
          deployments.addAll(onSocket);
          deployments.add(linksId);
          return null;
        }).recover(e -> undeployAll(onSocket).compose(u -> {
          if (config.gossipUdpPort() != 0 || attemptsLeft <= 1) {
            return Future.failedFuture(new IllegalStateException("cannot listen on TCP " + linkListenHost() + ":"
                + udp.boundPort() + " (links) beside the UDP socket: " + e.getMessage()
                + "; change gossip_udp_port (or listen_host) in the config", e));
          }
          LOG.info("op=node_bind tcp port {} taken, picking another pair", udp.boundPort());
          return bindSocketPair(chain, attemptsLeft - 1);
        }));
      });
    });
  }

  private Future<Void> deployOn(List<String> ids, VerticleBase verticle) {
    startStep = StartStep.of(verticle);
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(id -> {
      ids.add(id);
      return null;
    });
  }

  /** Undeploys in reverse start order, one at a time; a failure to undeploy one does not stop the rest. */
  private Future<Void> undeployAll(List<String> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
    }
    return chain;
  }

  /** The address of the node's endpoint (UDP socket and TCP links): listen_host, every interface by default. */
  private String linkListenHost() {
    return config.listenHost();
  }

  private Future<Void> deploy(VerticleBase verticle) {
    startStep = StartStep.of(verticle);
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    // Children undeploy with this deployment; do it in reverse start order, one at a time.
    return undeployAll(deployments).onComplete(v -> releaseLock());
  }

  private void releaseLock() {
    BusNamespaces.release(vertx, claim);
    DataDirLock l = dataDirLock;
    dataDirLock = null;
    if (l != null) {
      try {
        l.close();
      } catch (IOException e) {
        LOG.warn("op=node_stop data_dir lock not released cleanly: {}; the next start takes it over once this"
            + " process is gone", e.getMessage());
      }
    }
  }
}
