package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.kinmesh.config.ConfigException;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.relay.RelayVerticle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "Run the relay server (lookups; config keys and RELAY_* overrides in docs/relay.md).")
final class RelayCommand implements Callable<Integer> {
  @Option(names = {"-conf", "--conf"}, description = "JSON config file (all keys optional)")
  Path conf;

  @Override
  public Integer call() throws Exception {
    RelayConfig config;
    try {
      config = RelayConfig.fromJson(readJson(conf), System.getenv(), conf.toAbsolutePath().getParent());
    } catch (ConfigException e) {
      System.err.println("kinmesh relay: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    Vertx vertx = Vertx.vertx();
    RelayVerticle relay = new RelayVerticle(config);
    if (!ServerStart.deploy("relay", vertx, relay, 60, () -> "opening db_path '" + config.dbPath()
        + "' and listening on listen_addr " + config.listen().host() + ":" + config.listen().port(), "the log above "
        + "shows the last step that finished. A slow disk or a busy machine can take this long: start again; if it "
        + "stops at the same step, check db_path's disk and that no other relay uses that database")) {
      return ExitCodes.FAILURE;
    }
    String scheme = config.tls() == null ? "http" : "https";
    System.out.println("kinmesh relay listening on " + scheme + "://" + config.listen().host() + ":" + relay.boundPort());
    if (!relay.stunAddresses().isEmpty()) {
      System.out.println("kinmesh relay stun on udp " + org.kinmesh.stun.StunClient.endpointText(relay.stunAddresses()
          .get(0)) + (relay.stunAddresses().size() == 4 ? " alternate " + org.kinmesh.stun.StunClient.endpointText(
          relay.stunAddresses().get(3)) : ""));
    }
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // undeploys: HTTP servers drain for up to the grace period, then the database closes
      Cli.close(vertx, config.shutdownGraceSecs() + 15);
      stopped.countDown();
    }, "kinmesh-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }

  static JsonObject readJson(Path file) throws ConfigException {
    if (file == null) {
      return new JsonObject();
    }
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("-conf", "cannot read " + file + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("-conf", file + " is not a JSON object: " + e.getMessage());
    }
  }
}
