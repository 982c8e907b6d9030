package org.kinmesh.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.HostPort;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.util.TimeSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The first machine of a new family: a guardian key (unless given), this node's key, a genesis
 * with the guardian and this node as the first consensus node, the chain registered at the relay,
 * and DIR/node.json. A relay that refuses the registration takes every written file back.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Start a new family's chain on this machine: keys, genesis, relay registration, DIR/node.json"
        + " (last stdout line: {\"blockchain_id\",\"genesis_hash\",\"node_pubkey\",\"guardian_pubkey\"}).")
final class InitCommand implements Callable<Integer> {
  static final String NAME = "kinmesh init";

  @Option(names = "--dir", required = true, description = "directory for this node's files (created if missing)")
  Path dir;
  @Option(names = "--relay", required = true, description = "the family's relay URL, e.g. https://relay.example.org")
  String relay;
  @Option(names = "--chain", required = true, description = "the new chain's id: 1-64 characters of [A-Za-z0-9._-]")
  String chain;
  @Option(names = "--guardian-key", description = "an existing guardian keyset file (default: a new DIR/guardian.key)")
  Path guardianKey;
  @Option(names = "--name", defaultValue = "Guardian", description = "the guardian's display name (default: ${DEFAULT-VALUE})")
  String name;
  @Option(names = "--relay-admin-key", description = "keyset that signs the relay registration: the relay operator's"
      + " for a relay without open_registration (default: the guardian's)")
  Path relayAdminKey;
  @Option(names = "--api-listen", defaultValue = "127.0.0.1:8080",
      description = "api_listen written to node.json (default: ${DEFAULT-VALUE})")
  String apiListen;
  @Option(names = "--gossip-port", defaultValue = "7070",
      description = "gossip_udp_port written to node.json (default: ${DEFAULT-VALUE})")
  int gossipPort;

  @Override
  public Integer call() throws Cli.UsageException {
    if (!org.kinmesh.wire.WireRules.isBlockchainId(chain)) {
      throw new Cli.UsageException("--chain must be 1-64 characters of [A-Za-z0-9._-] (got '" + chain + "')");
    }
    try {
      NodeHttp.checkUrl(relay);
      HostPort.parse("--api-listen", apiListen);
    } catch (Cli.UsageException e) {
      throw new Cli.UsageException("--relay must look like https://relay.example.org (got '" + relay + "')");
    } catch (ConfigException e) {
      throw new Cli.UsageException(e.getMessage());
    }
    if (gossipPort < 0 || gossipPort > 65_535) {
      throw new Cli.UsageException("--gossip-port must be 0-65535 (got " + gossipPort + ")");
    }
    JoinFiles files = new JoinFiles(dir);
    files.checkFree();
    Identity guardian = guardianKey != null ? Cli.loadKey(guardianKey) : Identity.generate();
    Identity admin = relayAdminKey != null ? Cli.loadKey(relayAdminKey) : guardian;
    Identity node = Identity.generate();
    Block genesis;
    try {
      // One guardian at genesis, so one approval (a genesis may not ask more approvals than it has
      // guardians); guardians added later on chain do not raise it.
      genesis = Genesis.build(new GenesisSpec(new ChainParams(chain, 1, 0,
          ChainParams.DEFAULT_INACTIVITY_DAYS, ChainParams.DEFAULT_APPROVAL_WINDOW_HOURS,
          ChainParams.DEFAULT_TX_MAX_AGE_SECS), System.currentTimeMillis() / 1000,
          List.of(new GenesisSpec.Guardian(guardian.publicKeyHex(), name)),
          List.of(new GenesisSpec.ConsensusNode(node.publicKeyHex(), 1))));
    } catch (InvalidBlockException | IllegalArgumentException e) {
      throw new Cli.UsageException("cannot make the genesis: " + e.getMessage());
    }
    try {
      if (guardianKey == null) {
        files.writeGuardian(guardian);
      }
      files.write(node, genesis.toJsonBytes(), JoinFiles.nodeJson(chain, relay, apiListen, gossipPort));
    } catch (IOException | KeyFiles.KeyFileException e) {
      files.rollback();
      System.err.println(NAME + ": cannot write the files in " + dir + ": " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    String refused = register(admin, genesis.hash(), node.publicKeyHex());
    if (refused != null) {
      files.rollback();
      System.err.println(NAME + ": " + refused + " Nothing was kept in " + dir + ".");
      return ExitCodes.FAILURE;
    }
    String gKey = guardianKey != null ? guardianKey.toString() : dir.resolve(JoinFiles.GUARDIAN).toString();
    String api = "http://" + (apiListen.startsWith("0.0.0.0:") ? "127.0.0.1:" + apiListen.substring(8) : apiListen);
    System.err.println(NAME + ": chain '" + chain + "' (genesis " + genesis.hash() + ") registered at " + relay
        + ". Next:\n  1. start this node:  kinmesh node -conf " + files.config()
        + "\n  2. invite each new machine:  kinmesh invite --node " + api + " --key " + gKey + " --relay " + relay
        + " --consensus (or --member)\n  3. on that machine:  kinmesh join CODE --dir DIR"
        + (guardianKey == null ? "\n  Keep " + gKey + " safe and off this machine if you can: it is the family's"
            + " guardian key, and a backup of it is the one thing that cannot be recreated." : ""));
    System.out.println(new JsonObject().put("blockchain_id", chain).put("genesis_hash", genesis.hash())
        .put("node_pubkey", node.publicKeyHex()).put("guardian_pubkey", guardian.publicKeyHex()).encode());
    return ExitCodes.OK;
  }

  /** Null when the relay registered the chain with this node's key; else what went wrong and what to do. */
  private String register(Identity admin, String genesisHash, String nodeKey) {
    Vertx vertx = Vertx.vertx();
    try (RelayHttpClient client = new RelayHttpClient(vertx, relay, TimeSource.SYSTEM)) {
      RelayAnswer a = Cli.await(client.registerBlockchain(admin, chain, genesisHash, List.of(nodeKey)), 30);
      if (a.ok()) {
        return null;
      }
      return "relay at " + relay + " refused to register chain '" + chain + "': " + a.status() + " " + a.errorCode()
          + ("unauthorized".equals(a.errorCode()) ? " (this relay takes new chains only from its operator: give the"
              + " operator's key with --relay-admin-key, or ask the operator to set open_registration)" : "")
          + (a.body().getValue("message") instanceof String m ? ": " + m : "") + ".";
    } catch (ExecutionException e) {
      return "cannot reach relay at " + relay + ": " + e.getCause().getMessage() + ".";
    } catch (TimeoutException e) {
      return "relay at " + relay + " did not answer within 30 s.";
    } finally {
      Cli.close(vertx);
    }
  }
}
