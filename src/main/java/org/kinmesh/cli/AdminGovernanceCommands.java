package org.kinmesh.cli;

import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Role;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Family governance from a guardian's keyset, through a node's admin API (loopback by
 * default): each write builds and signs one transaction; it takes effect when its block commits.
 */
final class AdminGovernanceCommands {
  private AdminGovernanceCommands() {}

  /** Where the node is. */
  static final class NodeOption {
    @Option(names = "--node", defaultValue = "http://127.0.0.1:8080", description = "node API URL (default: ${DEFAULT-VALUE})")
    String node;
  }

  /** Who signs, for which blockchain. */
  static final class Signer {
    @Option(names = "--key", required = true, description = "guardian keyset file (mode 0600)") Path key;
    @Option(names = "--id", required = true, description = "blockchain id") String id;

    Transaction sign(Payload p) throws Cli.UsageException {
      Identity guardian = Cli.loadKey(key);
      return NodeAdminCall.sign(guardian, id, p);
    }
  }

  @Command(name = "family", mixinStandardHelpOptions = true, description = "Family members (guardians and members).",
      subcommands = {FamilyList.class, FamilyAdd.class, FamilyRemove.class})
  static final class Family implements Runnable {
    @Override
    public void run() {
      System.err.println("kinmesh admin family: choose list, add or remove (see --help)");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List family members.")
  static final class FamilyList implements Callable<Integer> {
    @Mixin NodeOption node;

    @Override
    public Integer call() {
      return NodeAdminCall.get("kinmesh admin family list", node.node, "/admin/family/members");
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a family member (FAMILY_MEMBER_ADD).")
  static final class FamilyAdd implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--member", required = true, description = "member public key (hex)") String member;
    @Option(names = "--name", required = true, description = "display name") String name;
    @Option(names = "--role", defaultValue = "member", description = "guardian or member (default: member)") String role;

    @Override
    public Integer call() throws Exception {
      Role r;
      try {
        r = Role.fromWire(role);
      } catch (WireException e) {
        throw new Cli.UsageException("--role must be guardian or member");
      }
      Transaction tx = signer.sign(new Payload.FamilyMemberAdd(Cli.requireKey("--member", member), name, r));
      return NodeAdminCall.send("kinmesh admin family add", node.node, HttpMethod.POST, "/admin/family/members", tx);
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a family member (FAMILY_MEMBER_REMOVE).")
  static final class FamilyRemove implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--member", required = true, description = "member public key (hex)") String member;
    @Option(names = "--reason", defaultValue = "", description = "why (kept on chain)") String reason;

    @Override
    public Integer call() throws Exception {
      Transaction tx = signer.sign(new Payload.FamilyMemberRemove(Cli.requireKey("--member", member), reason));
      return NodeAdminCall.send("kinmesh admin family remove", node.node, HttpMethod.DELETE, "/admin/family/members", tx);
    }
  }

  @Command(name = "node", mixinStandardHelpOptions = true, description = "Consensus and other nodes.",
      subcommands = {NodeStatus.class, NodeRegister.class, NodeSuspend.class, NodeRemove.class, NodeReactivate.class})
  static final class Node implements Runnable {
    @Override
    public void run() {
      System.err.println("kinmesh admin node: choose status, register, suspend, remove or reactivate (see --help)");
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Every registered node and its status.")
  static final class NodeStatus implements Callable<Integer> {
    @Mixin NodeOption node;

    @Override
    public Integer call() {
      return NodeAdminCall.get("kinmesh admin node status", node.node, "/admin/nodes/status");
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Register a node key (NODE_REGISTRATION; needs the guardians' approvals).")
  static final class NodeRegister implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--pubkey", required = true, description = "node public key (hex)") String pubkey;
    @Option(names = "--node-id", required = true, description = "node id (uint32)") long nodeId;
    // Two flags that say what they mean; --consensus=true|false is kept for scripts. Not a picocli
    // boolean with default true: there the bare flag toggled it off (issue 12.6).
    @Option(names = "--consensus", arity = "0..1", fallbackValue = "true",
        description = "a consensus node, which votes on blocks (the default; needs the guardians' approvals)")
    Boolean consensus;
    @Option(names = "--member", description = "a non-consensus node: it holds the chain and submits, but does not vote")
    boolean member;

    @Override
    public Integer call() throws Exception {
      if (member && consensus != null) {
        throw new Cli.UsageException("choose one of --consensus (a voting node) or --member (a non-voting node)");
      }
      boolean isConsensus = !member && (consensus == null || consensus);
      Transaction tx = signer.sign(new Payload.NodeRegistration(Cli.requireKey("--pubkey", pubkey), nodeId, isConsensus,
          System.currentTimeMillis() / 1000));
      return NodeAdminCall.send("kinmesh admin node register", node.node, HttpMethod.POST, "/admin/nodes/register", tx);
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Suspend a node for a while (one guardian).")
  static final class NodeSuspend implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--pubkey", required = true, description = "node public key (hex)") String pubkey;
    @Option(names = "--ttl-secs", required = true, description = "how long, in seconds") long ttl;
    @Option(names = "--reason", defaultValue = "", description = "why (kept on chain)") String reason;

    @Override
    public Integer call() throws Exception {
      Transaction tx = signer.sign(new Payload.NodeDeauthorization(Cli.requireKey("--pubkey", pubkey),
          Payload.DeauthMode.SUSPEND, reason, ttl));
      return NodeAdminCall.send("kinmesh admin node suspend", node.node, HttpMethod.POST,
          "/admin/nodes/" + pubkey + "/deauthorize", tx);
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Propose removing a node for good (M-of-N guardians approve it).")
  static final class NodeRemove implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--pubkey", required = true, description = "node public key (hex)") String pubkey;
    @Option(names = "--reason", defaultValue = "", description = "why (kept on chain)") String reason;

    @Override
    public Integer call() throws Exception {
      Transaction tx = signer.sign(new Payload.NodeDeauthorization(Cli.requireKey("--pubkey", pubkey),
          Payload.DeauthMode.PERMANENT, reason, 0));
      return NodeAdminCall.send("kinmesh admin node remove", node.node, HttpMethod.POST,
          "/admin/nodes/" + pubkey + "/deauthorize", tx);
    }
  }

  @Command(name = "reactivate", mixinStandardHelpOptions = true, description = "End a suspension or inactivity.")
  static final class NodeReactivate implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--pubkey", required = true, description = "node public key (hex)") String pubkey;
    @Option(names = "--reason", defaultValue = "", description = "why (kept on chain)") String reason;

    @Override
    public Integer call() throws Exception {
      Transaction tx = signer.sign(new Payload.NodeReactivation(Cli.requireKey("--pubkey", pubkey), reason));
      return NodeAdminCall.send("kinmesh admin node reactivate", node.node, HttpMethod.POST,
          "/admin/nodes/" + pubkey + "/reactivate", tx);
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a pending proposal (APPROVAL).")
  static final class Approve implements Callable<Integer> {
    @Mixin NodeOption node;
    @Mixin Signer signer;
    @Option(names = "--resource-id", required = true, description = "the proposal's resource id (hex)") String resource;

    @Override
    public Integer call() throws Exception {
      if (!WireRules.isSha256Hex(resource)) {
        throw new Cli.UsageException("--resource-id must be 64 lowercase hex characters");
      }
      Transaction tx = signer.sign(new Payload.Approval(resource));
      return NodeAdminCall.send("kinmesh admin approve", node.node, HttpMethod.POST, "/admin/approvals/" + resource, tx);
    }
  }

  @Command(name = "proposals", mixinStandardHelpOptions = true, description = "Open proposals and their approvals.")
  static final class Proposals implements Callable<Integer> {
    @Mixin NodeOption node;

    @Override
    public Integer call() {
      return NodeAdminCall.get("kinmesh admin proposals", node.node, "/admin/proposals");
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true, description = "Governance audit log (who, when, why).")
  static final class Audit implements Callable<Integer> {
    @Mixin NodeOption node;
    @Option(names = "--target", description = "only entries about this key or resource id") String target;

    @Override
    public Integer call() throws Exception {
      if (target != null && !WireRules.isPublicKeyHex(target) && !WireRules.isSha256Hex(target)) {
        throw new Cli.UsageException("--target must be 64 lowercase hex characters");
      }
      return NodeAdminCall.get("kinmesh admin audit", node.node, "/admin/audit" + (target == null ? "" : "?target=" + target));
    }
  }
}
