package org.kinmesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.wire.WireException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "genesis", mixinStandardHelpOptions = true,
    description = "Build the genesis block from a JSON spec, write it, and print its hash.")
final class GenesisCommand implements Callable<Integer> {
  @Option(names = "--spec", required = true, description = "spec JSON: blockchain_id, guardians, consensus_nodes, "
      + "optional deauth_threshold, timelock_hours, inactivity_days, approval_window_hours, genesis_timestamp")
  Path spec;

  @Option(names = "--out", required = true, description = "genesis file to create (never overwritten)")
  Path out;

  @Override
  public Integer call() {
    Block genesis;
    try {
      byte[] bytes = Files.readAllBytes(spec);
      genesis = Genesis.build(GenesisSpec.parse(bytes, System.currentTimeMillis() / 1000));
    } catch (IOException e) {
      return fail("cannot read spec " + spec + ": " + e.getMessage(), ExitCodes.USAGE);
    } catch (WireException e) {
      return fail("spec " + spec + ": " + e.getMessage(), ExitCodes.USAGE);
    } catch (InvalidBlockException e) {
      return fail("spec " + spec + " gives an invalid genesis: " + e.getMessage(), ExitCodes.USAGE);
    }
    try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      os.write(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(genesis.toJson()));
      os.write('\n');
    } catch (FileAlreadyExistsException e) {
      return fail(out + " already exists; not overwriting it", ExitCodes.USAGE);
    } catch (IOException e) {
      return fail("cannot write " + out + ": " + e.getMessage(), ExitCodes.FAILURE);
    }
    System.out.println(genesis.hash());
    return ExitCodes.OK;
  }

  private static int fail(String message, int code) {
    System.err.println("kinmesh genesis: " + message);
    return code;
  }
}
