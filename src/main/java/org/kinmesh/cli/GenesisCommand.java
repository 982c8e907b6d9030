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
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "genesis", mixinStandardHelpOptions = true,
    description = "Build the genesis block from a JSON spec, write it, and print its hash.")
final class GenesisCommand implements Callable<Integer> {
  @Option(names = "--spec", required = true, description = "spec JSON: blockchain_id, guardians, consensus_nodes, "
      + "optional deauth_threshold, timelock_hours, inactivity_days, approval_window_hours, genesis_timestamp "
      + "(written back into the spec on the first run when absent)")
  Path spec;

  @Option(names = "--out", required = true, description = "genesis file to create (never overwritten)")
  Path out;

  @Override
  public Integer call() {
    Block genesis;
    byte[] bytes;
    boolean stamped;
    try {
      bytes = Files.readAllBytes(spec);
      stamped = StrictJson.parse(bytes).has("genesis_timestamp");
      genesis = Genesis.build(GenesisSpec.parse(bytes, System.currentTimeMillis() / 1000));
    } catch (IOException e) {
      return fail("cannot read spec " + spec + ": " + e.getMessage(), ExitCodes.USAGE);
    } catch (WireException e) {
      return fail("spec " + spec + ": " + e.getMessage(), ExitCodes.USAGE);
    } catch (InvalidBlockException e) {
      return fail("spec " + spec + " gives an invalid genesis: " + e.getMessage(), ExitCodes.USAGE);
    }
    if (Files.exists(out)) {
      return fail(out + " already exists; not overwriting it", ExitCodes.USAGE);
    }
    if (!stamped) {
      // The time of this first run becomes part of the spec: a second run (another node, a lost
      // genesis.json) must give the same chain, not a new one dated "now" (issue 12.5).
      try {
        SpecStamp.write(spec, bytes, genesis.timestamp());
      } catch (IOException e) {
        return fail("spec " + spec + " has no genesis_timestamp and it cannot be written back (" + e.getMessage()
            + "); add \"genesis_timestamp\": " + genesis.timestamp() + " to it and run again", ExitCodes.FAILURE);
      }
      System.err.println("kinmesh genesis: spec " + spec + " had no genesis_timestamp; wrote \"genesis_timestamp\": "
          + genesis.timestamp() + " into it, so the same spec always gives this genesis");
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
