package org.kinmesh.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = "Write a new Ed25519 identity (Tink keyset, mode 0600) and print its public key.")
final class KeygenCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "keyset file to create (never overwritten)")
  Path out;

  @Override
  public Integer call() {
    Identity id = Identity.generate();
    try {
      KeyFiles.write(out, id);
    } catch (KeyFiles.KeyFileException e) {
      System.err.println("kinmesh keygen: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    System.out.println(id.publicKeyHex());
    return ExitCodes.OK;
  }
}
