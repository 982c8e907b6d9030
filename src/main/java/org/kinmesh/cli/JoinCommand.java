package org.kinmesh.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.config.ConfigException;
import org.kinmesh.config.HostPort;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;
import org.kinmesh.invite.InviteException;
import org.kinmesh.wire.WireException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A new machine joins with an invite code: everything is checked (code, expiry, the genesis
 * fetched against the invite's hash, the node's chain) before a file is written, and a join the
 * chain refuses takes the files back, so a refused join leaves DIR as it was.
 */
@Command(name = "join", mixinStandardHelpOptions = true,
    description = "Join a family's chain with an invite code: makes DIR/node.key, DIR/genesis.json, DIR/node.json and"
        + " submits the node's join (last stdout line: {\"pubkey\",\"status\",\"resource_id\"?}).")
final class JoinCommand implements Callable<Integer> {
  static final String NAME = "kinmesh join";
  static final Duration POLL = Duration.ofMillis(200);

  @Parameters(index = "0", paramLabel = "CODE", description = "the invite code (kmi1.…) from kinmesh invite")
  String code;
  @Option(names = "--dir", required = true, description = "directory for this node's files (created if missing)")
  Path dir;
  @Option(names = "--name", description = "a display name for this machine (default: the invite's)")
  String name;
  @Option(names = "--node", description = "node API to submit the join to (default: the invite's node)")
  String node;
  @Option(names = "--api-listen", defaultValue = "127.0.0.1:8080",
      description = "api_listen written to node.json (default: ${DEFAULT-VALUE})")
  String apiListen;
  @Option(names = "--gossip-port", defaultValue = "7070",
      description = "gossip_udp_port written to node.json (default: ${DEFAULT-VALUE})")
  int gossipPort;
  @Option(names = "--timeout", defaultValue = "60s", description = "how long to wait for the join's block (default: ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() throws Cli.UsageException {
    Duration wait = Durations.parse("--timeout", timeout);
    Invite invite;
    try {
      invite = InviteCodec.decode(code);
      InviteCodec.checkExpiry(invite, System.currentTimeMillis() / 1000);
    } catch (InviteException e) {
      throw new Cli.UsageException(e.getMessage());
    }
    try {
      HostPort.parse("--api-listen", apiListen);
    } catch (ConfigException e) {
      throw new Cli.UsageException(e.getMessage());
    }
    if (gossipPort < 0 || gossipPort > 65_535) {
      throw new Cli.UsageException("--gossip-port must be 0-65535 (got " + gossipPort + ")");
    }
    if (name != null && !name.equals(invite.name())) {
      // The name is part of what the guardian signed; the chain records the invite's.
      System.err.println(NAME + ": note: the chain records the invite's name '" + invite.name() + "', not '" + name
          + "'; ask for an invite with --name " + name + " to change it");
    }
    String submitTo = node != null ? node : invite.genesisUrl();
    NodeHttp.checkUrl(submitTo);
    JoinFiles files = new JoinFiles(dir);
    files.checkFree();

    byte[] genesis;
    try (NodeHttp source = NodeHttp.open(invite.genesisUrl())) {
      genesis = fetchGenesis(source, invite);
    } catch (NodeHttp.Failure e) {
      System.err.println(NAME + ": fetching the genesis: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    if (genesis == null) {
      return ExitCodes.FAILURE;
    }
    Identity key = Identity.generate();
    try (NodeHttp http = NodeHttp.open(submitTo)) {
      NodeHttp.Answer status = http.get("/status");
      if (!status.ok() || !invite.blockchainId().equals(status.body().getValue("blockchain_id"))) {
        System.err.println(NAME + ": node at " + submitTo + " is not on chain '" + invite.blockchainId()
            + "' (GET /status answered " + status.describe() + ", chain " + status.body().getValue("blockchain_id")
            + "); give a node of this family with --node URL");
        return ExitCodes.FAILURE;
      }
      try {
        files.write(key, genesis, JoinFiles.nodeJson(invite.blockchainId(), invite.relayUrl(), apiListen, gossipPort));
      } catch (IOException | KeyFiles.KeyFileException e) {
        files.rollback();
        System.err.println(NAME + ": cannot write the node's files in " + dir + ": " + e.getMessage());
        return ExitCodes.FAILURE;
      }
      Transaction tx = NodeAdminCall.sign(key, invite.blockchainId(), Payload.NodeJoin.of(code));
      NodeHttp.Answer submitted = http.post("/transactions", tx.toJsonBytes());
      if (!submitted.ok()) {
        files.rollback();
        System.err.println(NAME + ": node refused the join: " + submitted.describe() + ". Nothing was kept in " + dir);
        return ExitCodes.FAILURE;
      }
      System.err.println(NAME + ": join " + tx.hash() + " accepted by " + submitTo + "; waiting for its block");
      String committed = awaitCommit(http, tx.hash(), wait, files);
      if (committed != null) {
        System.err.println(NAME + ": " + committed);
        return ExitCodes.FAILURE;
      }
      return report(http, invite, key.publicKeyHex(), tx.hash(), submitTo);
    } catch (NodeHttp.Failure e) {
      System.err.println(NAME + ": " + e.getMessage());
      return ExitCodes.FAILURE;
    }
  }

  /** The genesis bytes when they are block 0 of the invite's chain with the invite's hash; else null, said why. */
  private static byte[] fetchGenesis(NodeHttp source, Invite invite) throws NodeHttp.Failure {
    NodeHttp.Raw g = source.getRaw("/genesis");
    if (!g.ok()) {
      System.err.println(NAME + ": " + invite.genesisUrl() + "/genesis answered HTTP " + g.status()
          + "; the invite's node cannot hand out the genesis (an older kinmesh?); ask the guardian for a new invite");
      return null;
    }
    Block b;
    try {
      b = Block.parse(g.body());
    } catch (WireException e) {
      System.err.println(NAME + ": " + invite.genesisUrl() + "/genesis is not a block: " + e.getMessage());
      return null;
    }
    if (b.height() != 0 || !b.hash().equals(invite.genesisHash()) || !b.blockchainId().equals(invite.blockchainId())) {
      System.err.println(NAME + ": the genesis from " + invite.genesisUrl() + " (chain '" + b.blockchainId()
          + "', height " + b.height() + ", hash " + b.hash() + ") does not match the invite (chain '"
          + invite.blockchainId() + "', hash " + invite.genesisHash() + "): the invite is for another chain, or that"
          + " address now serves another family's node. Nothing was written; ask the guardian for a new invite");
      return null;
    }
    return g.body();
  }

  /** Null once committed; otherwise why not (a rejected join takes the files back). */
  private static String awaitCommit(NodeHttp http, String hash, Duration wait, JoinFiles files) throws NodeHttp.Failure {
    long end = System.nanoTime() + wait.toNanos();
    while (true) {
      NodeHttp.Answer a = http.get("/transactions/" + hash);
      String state = a.body().getString("status", "");
      if (a.ok() && "committed".equals(state)) {
        return null;
      }
      if (a.ok() && "rejected".equals(state)) {
        files.rollback();
        return "the chain rejected the join: " + a.body().getString("reason") + ". Nothing was kept; ask the guardian"
            + " for a new invite";
      }
      if (System.nanoTime() > end) {
        // The join may still commit: the key must stay, or the node it makes could never be used.
        return "join " + hash + " not committed within " + Durations.format(wait) + "; the files in " + files.config()
            .getParent() + " are kept (the join may still commit). Check: curl " + http.url + "/transactions/" + hash;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  private int report(NodeHttp http, Invite invite, String pubkey, String txHash, String nodeUrl)
      throws NodeHttp.Failure {
    boolean active = !invite.consensus() || isActive(http, pubkey);
    JsonObject out = new JsonObject().put("pubkey", pubkey).put("status", active ? "active" : "awaiting_approvals");
    String start = "kinmesh node -conf " + files(dir).config();
    if (active) {
      System.err.println(NAME + ": this machine (" + pubkey.substring(0, 8) + ") is an active " + invite.role()
          + " node of chain '" + invite.blockchainId() + "'. Start it with: " + start);
    } else {
      out.put("resource_id", txHash);
      System.err.println(NAME + ": the join is on chain; as a consensus node it waits for the other guardians'"
          + " approvals (the invite counts as " + invite.guardian().substring(0, 8) + "'s). Each other guardian runs:"
          + " kinmesh admin approve --node " + nodeUrl + " --key GUARDIAN_KEY --id " + invite.blockchainId()
          + " --resource-id " + txHash + "   Then start this node with: " + start);
    }
    System.out.println(out.encode());
    return ExitCodes.OK;
  }

  private static JoinFiles files(Path dir) {
    return new JoinFiles(dir);
  }

  /** Active as told by the node's admin API; a node that will not tell (remote admin off) counts as not yet. */
  private static boolean isActive(NodeHttp http, String pubkey) throws NodeHttp.Failure {
    NodeHttp.Answer a = http.get("/admin/nodes/status");
    if (!a.ok() || a.body().getJsonArray("nodes") == null) {
      return false;
    }
    return a.body().getJsonArray("nodes").stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
        .anyMatch(n -> pubkey.equals(n.getString("pubkey")) && "active".equals(n.getString("status")));
  }
}
