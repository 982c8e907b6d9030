package org.kinmesh.cli;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.invite.Invite;
import org.kinmesh.invite.InviteCodec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "invite", mixinStandardHelpOptions = true,
    description = "Sign a one-line invite for a new machine (last stdout line: the code).")
final class InviteCommand implements Callable<Integer> {
  static final String NAME = "kinmesh invite";
  /** Longest invite lifetime: an invite is a bearer approval, so it should not lie around for long. */
  static final Duration MAX_TTL = Duration.ofDays(30);

  static final class Role {
    @Option(names = "--consensus", required = true, description = "a voting node") boolean consensus;
    @Option(names = "--member", required = true, description = "a non-voting node") boolean member;
  }

  @Option(names = "--node", defaultValue = "http://127.0.0.1:8080",
      description = "a node of the family: the invite names its chain, genesis and where to fetch it (default: ${DEFAULT-VALUE})")
  String node;
  @Option(names = "--key", required = true, description = "the guardian's keyset file (mode 0600)")
  java.nio.file.Path key;
  @ArgGroup(exclusive = true, multiplicity = "1")
  Role role;
  @Option(names = "--relay", required = true, description = "the family's relay URL, e.g. https://relay.example.org")
  String relay;
  @Option(names = "--ttl", defaultValue = "24h", description = "how long the invite works (default: ${DEFAULT-VALUE}, at most 30d)")
  String ttl;
  @Option(names = "--name", defaultValue = "", description = "a display name for the new node")
  String name;

  @Override
  public Integer call() throws Cli.UsageException {
    Duration life = Durations.parse("--ttl", ttl);
    if (life.compareTo(MAX_TTL) > 0) {
      throw new Cli.UsageException("--ttl must be at most 30d (got " + ttl + "): make a new invite when it is needed");
    }
    NodeHttp.checkUrl(node);
    NodeHttp.checkUrl(relay);
    Identity guardian = Cli.loadKey(key);
    try (NodeHttp http = NodeHttp.open(node)) {
      NodeHttp.Answer status = http.get("/status");
      NodeHttp.Answer g = http.get("/blocks/0");
      if (!status.ok() || !(status.body().getValue("blockchain_id") instanceof String chain)
          || !g.ok() || !(g.body().getValue("hash") instanceof String genesisHash)) {
        System.err.println(NAME + ": node at " + node + " did not tell its chain id and genesis hash (GET /status "
            + "answered " + status.describe() + ", GET /blocks/0 " + g.describe() + ")");
        return ExitCodes.FAILURE;
      }
      byte[] id = new byte[16];
      new SecureRandom().nextBytes(id);
      long expires = System.currentTimeMillis() / 1000 + life.toSeconds();
      Invite invite;
      try {
        invite = new Invite(Hex.encode(id), chain, genesisHash, relay, node, role.consensus,
            name, guardian.publicKeyHex(), expires);
      } catch (IllegalArgumentException e) {
        throw new Cli.UsageException(e.getMessage());
      }
      System.err.println(NAME + ": " + invite.role() + " invite for chain '" + invite.blockchainId() + "', valid until "
          + java.time.Instant.ofEpochSecond(expires) + ", once; on the new machine: kinmesh join CODE --dir DIR");
      System.out.println(InviteCodec.encode(invite, guardian));
      return ExitCodes.OK;
    } catch (NodeHttp.Failure e) {
      System.err.println(NAME + ": " + e.getMessage());
      return ExitCodes.FAILURE;
    }
  }
}
