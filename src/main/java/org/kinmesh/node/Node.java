package org.kinmesh.node;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.chain.Block;
import org.kinmesh.crypto.Identity;
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
  private NodeApiVerticle api;

  public Node(NodeConfig config, Identity identity, Block genesis, TimeSource clock) {
    this.config = config;
    this.identity = identity;
    this.genesis = genesis;
    this.clock = clock;
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

  @Override
  public Future<?> start() {
    api = new NodeApiVerticle(config.apiListen(), config.apiPortFile(), identity.publicKeyHex(),
        config.adminAllowRemote());
    return deploy(new LedgerVerticle(config.ledgerDb(), genesis, clock))
        .compose(v -> deploy(api))
        .onSuccess(v -> LOG.info("op=node_start node={} chain={} api={}", identity.shortId(), genesis.blockchainId(),
            api.actualPort()));
  }

  private Future<Void> deploy(VerticleBase verticle) {
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    // Children undeploy with this deployment; do it in reverse start order, one at a time.
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
    }
    return chain;
  }
}
