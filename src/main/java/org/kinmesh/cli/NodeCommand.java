package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.kinmesh.chain.Block;
import org.kinmesh.config.ConfigException;
import org.kinmesh.crypto.Identity;
import org.kinmesh.node.Node;
import org.kinmesh.node.NodeConfig;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run a node (config keys and environment overrides in docs/node.md).")
final class NodeCommand implements Callable<Integer> {
  private static final long START_TIMEOUT_SECS = 60;

  @Option(names = {"-conf", "--conf"}, required = true, description = "JSON config file")
  Path conf;

  @Option(names = "--relay-server", description = "relay URL; overrides relay_url and RELAY_URL")
  String relayServer;

  @Override
  public Integer call() throws Exception {
    NodeConfig config;
    Block genesis;
    Identity identity;
    try {
      config = NodeConfig.fromJson(RelayCommand.readJson(conf), System.getenv(), relayServer,
          conf.toAbsolutePath().getParent());
      identity = Cli.loadKey(config.identityPath());
      genesis = Node.readGenesis(config);
    } catch (ConfigException e) {
      System.err.println("kinmesh node: " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (IOException e) {
      System.err.println("kinmesh node: config 'genesis_path': cannot read it: " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (WireException e) {
      System.err.println("kinmesh node: config 'genesis_path': " + e.getMessage());
      return ExitCodes.USAGE;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    Node node = new Node(config, identity, genesis, TimeSource.SYSTEM);
    if (!ServerStart.deploy("node", vertx, node, START_TIMEOUT_SECS, node::startingStep, "the log above shows the "
        + "last step that finished. A slow disk or a busy machine can take this long: start again; if it stops at the "
        + "same step, check data_dir '" + config.dataDir() + "' (a full or failing disk, another process using its "
        + "ledger) and relay_url")) {
      return ExitCodes.FAILURE;
    }
    System.out.println("kinmesh node " + identity.publicKeyHex() + " api on http://" + config.apiListen().host() + ":"
        + node.apiPort());
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Cli.close(vertx, 30);
      stopped.countDown();
    }, "kinmesh-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
