package org.kinmesh.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pubkey", mixinStandardHelpOptions = true,
    description = "Print the public key (64 hex characters) of a keyset file.")
final class PubkeyCommand implements Callable<Integer> {
  @Option(names = "--key", required = true, description = "keyset file (mode 0600)")
  Path key;

  @Override
  public Integer call() throws Cli.UsageException {
    System.out.println(Cli.loadKey(key).publicKeyHex());
    return ExitCodes.OK;
  }
}
