package org.kinmesh.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.WireRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "relay-client", mixinStandardHelpOptions = true,
    description = "The node side of the relay protocol, for operators and scripts.",
    subcommands = {RelayClientCommand.Register.class, RelayClientCommand.Lookup.class})
final class RelayClientCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("kinmesh relay-client: choose 'register' or 'lookup' (see --help)");
  }

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Register this key's endpoint with the relay (signed, PROTOCOL.md §2.1).")
  static final class Register implements Callable<Integer> {
    @Option(names = "--relay", required = true, description = "relay URL, e.g. http://localhost:5050") String relay;
    @Option(names = "--key", required = true, description = "keyset file (mode 0600)") Path key;
    @Option(names = "--id", required = true, description = "blockchain id") String id;
    @Option(names = "--ip", required = true, description = "IPv4 or canonical IPv6 address to publish") String ip;
    @Option(names = "--port", required = true, description = "UDP/TCP port to publish (1-65535)") int port;

    @Override
    public Integer call() throws Exception {
      Cli.requireBlockchainId(id);
      if (!WireRules.isIp(ip)) {
        throw new Cli.UsageException("--ip must be an IPv4 dotted quad or canonical IPv6 address (no host names)");
      }
      if (!WireRules.isPort(port)) {
        throw new Cli.UsageException("--port must be 1-65535");
      }
      Identity identity = Cli.loadKey(key);
      return Cli.callRelay("relay-client register", relay, c -> c.register(identity, id, ip, port));
    }
  }

  @Command(name = "lookup", mixinStandardHelpOptions = true,
      description = "Look up a peer's endpoint (signed headers, or --token from a register answer).")
  static final class Lookup implements Callable<Integer> {
    @Option(names = "--relay", required = true, description = "relay URL") String relay;
    @Option(names = "--key", description = "requester keyset file (mode 0600); needed unless --token") Path key;
    @Option(names = "--token", description = "session token from a register answer") String token;
    @Option(names = "--id", required = true, description = "blockchain id") String id;
    @Option(names = "--pubkey", required = true, description = "public key (hex) to look up") String pubkey;

    @Override
    public Integer call() throws Exception {
      Cli.requireBlockchainId(id);
      Cli.requireKey("--pubkey", pubkey);
      if (token != null) {
        return Cli.callRelay("relay-client lookup", relay, c -> c.lookupWithToken(token, id, pubkey));
      }
      if (key == null) {
        throw new Cli.UsageException("give --key (signed lookup) or --token");
      }
      Identity identity = Cli.loadKey(key);
      return Cli.callRelay("relay-client lookup", relay, c -> c.lookupSigned(identity, id, pubkey));
    }
  }
}
