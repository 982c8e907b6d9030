package org.kinmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "A relay and four nodes on this machine reaching consensus (arrives with the consensus milestone).")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("kinmesh demo: not yet. The relay is ready (see README: 'Run a relay');"
        + " the four-node consensus demo arrives with the consensus milestone.");
    return ExitCodes.OK;
  }
}
