package org.kinmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The kinmesh command line: one fat jar, one subcommand per job. */
@Command(name = "kinmesh", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Peer-to-peer networking for small permissioned PBFT blockchains.",
    subcommands = {KeygenCommand.class, PubkeyCommand.class, TxCommand.class, InviteCommand.class, JoinCommand.class,
        InitCommand.class, GenesisCommand.class, RelayCommand.class, RelayClientCommand.class,
        AdminCommand.class, NodeCommand.class, QuorumCommand.class, DemoCommand.class, PathsCommand.class, StatusCommand.class,
        StunCommand.class, WaitReadyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    ParentWatch.startIfAsked(System.getenv(), System.in, () -> System.exit(ExitCodes.FAILURE));
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this directly). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": "
              + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
          return ex instanceof Cli.UsageException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        })
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"kinmesh " + (v == null ? "dev" : v) + " (protocol v1)"};
    }
  }
}
