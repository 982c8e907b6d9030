package org.kinmesh.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Administration: the relay (register-blockchain, authorize-node, signed with the relay admin key) "
        + "and family governance through a node (family, node, approve, proposals, audit, signed by a guardian).",
    subcommands = {AdminCommand.RegisterBlockchain.class, AdminCommand.AuthorizeNode.class,
        AdminGovernanceCommands.Family.class, AdminGovernanceCommands.Node.class, AdminGovernanceCommands.Approve.class,
        AdminGovernanceCommands.Proposals.class, AdminGovernanceCommands.Audit.class})
final class AdminCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("kinmesh admin: choose 'register-blockchain' or 'authorize-node' (see --help)");
  }

  @Command(name = "register-blockchain", mixinStandardHelpOptions = true,
      description = "Register a blockchain (and optionally its first keys) with a relay (PROTOCOL.md §2.3).")
  static final class RegisterBlockchain implements Callable<Integer> {
    @Option(names = "--relay", required = true, description = "relay URL") String relay;
    @Option(names = "--key", required = true, description = "admin keyset file (mode 0600)") Path key;
    @Option(names = "--id", required = true, description = "blockchain id") String id;
    @Option(names = "--genesis-hash", required = true, description = "64 lowercase hex characters") String genesis;
    @Option(names = "--authorize", split = ",", description = "public keys to authorize, comma-separated")
    List<String> authorize = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Cli.requireBlockchainId(id);
      if (!WireRules.isSha256Hex(genesis)) {
        throw new Cli.UsageException("--genesis-hash must be 64 lowercase hex characters");
      }
      for (String k : authorize) {
        if (!WireRules.isPublicKeyHex(k)) {
          throw new Cli.UsageException("--authorize: '" + k + "' is not a 64-character lowercase hex public key");
        }
      }
      Identity admin = Cli.loadKey(key);
      return Cli.callRelay("admin register-blockchain", relay, c -> c.registerBlockchain(admin, id, genesis, authorize));
    }
  }

  @Command(name = "authorize-node", mixinStandardHelpOptions = true,
      description = "Add or remove a node key on a blockchain (PROTOCOL.md §2.4).")
  static final class AuthorizeNode implements Callable<Integer> {
    @Option(names = "--relay", required = true, description = "relay URL") String relay;
    @Option(names = "--key", required = true, description = "admin keyset file (mode 0600)") Path key;
    @Option(names = "--id", required = true, description = "blockchain id") String id;
    @Option(names = "--pubkey", required = true, description = "node public key (hex)") String pubkey;
    @Option(names = "--action", required = true, description = "add or remove") String action;

    @Override
    public Integer call() throws Exception {
      Cli.requireBlockchainId(id);
      Cli.requireKey("--pubkey", pubkey);
      AuthorizeNodeRequest.Action act;
      try {
        act = AuthorizeNodeRequest.Action.fromWire(action);
      } catch (org.kinmesh.wire.WireException e) {
        throw new Cli.UsageException("--action must be 'add' or 'remove'");
      }
      Identity admin = Cli.loadKey(key);
      return Cli.callRelay("admin authorize-node", relay, c -> c.authorizeNode(admin, id, pubkey, act));
    }
  }
}
