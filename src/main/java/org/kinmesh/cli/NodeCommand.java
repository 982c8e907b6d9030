package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
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
    try {
      Cli.await(vertx.deployVerticle(node), 60);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("kinmesh node: cannot start: " + cause.getMessage());
      Cli.close(vertx);
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
