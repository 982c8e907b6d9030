package org.kinmesh.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.crypto.Identity;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Transactions from the command line. */
@Command(name = "tx", mixinStandardHelpOptions = true, description = "Send transactions to a node.",
    subcommands = {TxCommand.Send.class})
final class TxCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("kinmesh tx: choose send (see kinmesh tx send --help)");
  }

  /** What to carry: exactly one of text or a file's bytes. */
  static final class Content {
    @Option(names = "--data", required = true, description = "text to carry (UTF-8)") String data;
    @Option(names = "--file", required = true, description = "file whose bytes to carry") Path file;

    byte[] bytes() throws Cli.UsageException {
      if (data != null) {
        return data.getBytes(StandardCharsets.UTF_8);
      }
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new Cli.UsageException("cannot read --file " + file + ": " + e);
      }
    }
  }

  @Command(name = "send", mixinStandardHelpOptions = true,
      description = "Sign a DATA transaction, submit it, wait for its block; last line {\"hash\",\"height\"}.")
  static final class Send implements Callable<Integer> {
    static final String NAME = "kinmesh tx send";
    /** How often the node is asked while waiting: blocks come every few hundred ms at most. */
    static final Duration POLL = Duration.ofMillis(200);

    @Option(names = "--node", defaultValue = "http://127.0.0.1:8080", description = "node API URL (default: ${DEFAULT-VALUE})")
    String node;
    @Option(names = "--key", required = true, description = "sender's keyset file: a family member's or a node's (mode 0600)")
    Path key;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Content content;
    @Option(names = "--timeout", defaultValue = "30s", description = "how long to wait for the commit (default: ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Cli.UsageException {
      Duration wait = Durations.parse("--timeout", timeout);
      NodeHttp.checkUrl(node);
      byte[] bytes = content.bytes();
      if (bytes.length > Payload.MAX_DATA_BYTES) {
        throw new Cli.UsageException("a DATA transaction carries at most " + Payload.MAX_DATA_BYTES + " bytes; this is "
            + bytes.length);
      }
      Identity sender = Cli.loadKey(key);
      try (NodeHttp http = NodeHttp.open(node)) {
        NodeHttp.Answer status = http.get("/status");
        if (!status.ok() || !(status.body().getValue("blockchain_id") instanceof String chain)) {
          System.err.println(NAME + ": node at " + node + " did not tell its blockchain id (GET /status answered "
              + status.describe() + ")");
          return ExitCodes.FAILURE;
        }
        // Clock-based nonce in microseconds, as kinmesh admin: it only has to grow (docs/chain.md §1a:
        // a gap of 1,000 or more is the sender's numbering, not held), so no round trip for the last one.
        Transaction tx = NodeAdminCall.sign(sender, chain, Payload.Data.of(bytes));
        NodeHttp.Answer submitted = http.post("/transactions", tx.toJsonBytes());
        if (!submitted.ok()) {
          System.out.println(submitted.body().encode());
          System.err.println(NAME + ": node refused the transaction from " + sender.shortId() + ": "
              + submitted.describe());
          return ExitCodes.FAILURE;
        }
        System.err.println(NAME + ": accepted as " + tx.hash() + " by " + node + "; waiting for its block");
        return awaitCommit(http, tx.hash(), wait);
      } catch (NodeHttp.Failure e) {
        System.err.println(NAME + ": " + e.getMessage());
        return ExitCodes.FAILURE;
      }
    }

    private int awaitCommit(NodeHttp http, String hash, Duration wait) throws NodeHttp.Failure {
      long end = System.nanoTime() + wait.toNanos();
      while (true) {
        NodeHttp.Answer a = http.get("/transactions/" + hash);
        String state = a.body().getString("status", "");
        if (a.ok() && "committed".equals(state)) {
          System.out.println(new JsonObject().put("hash", hash).put("height", a.body().getLong("height")).encode());
          return ExitCodes.OK;
        }
        if (a.ok() && "rejected".equals(state)) {
          System.out.println(a.body().encode());
          System.err.println(NAME + ": transaction " + hash + " was rejected: " + a.body().getString("reason"));
          return ExitCodes.FAILURE;
        }
        if (System.nanoTime() > end) {
          System.err.println(NAME + ": transaction " + hash + " not committed within " + Durations.format(wait)
              + ("pending".equals(state) ? "; it is still pending on the node and may commit later (a quorum of"
                  + " consensus nodes must be up)." : "; the node last answered " + a.describe() + ".")
              + " Check it with: curl " + http.url + "/transactions/" + hash
              + " , or wait longer next time with --timeout, e.g. --timeout 5m");
          return ExitCodes.FAILURE;
        }
        LockSupport.parkNanos(POLL.toNanos());
      }
    }
  }
}
