package org.kinmesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.Quorums;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quorum", mixinStandardHelpOptions = true,
    description = "Print what a network of N consensus nodes tolerates: f (lying nodes), the strict and"
        + " emergency thresholds, and how many nodes may be down (N - strict). Without N: N = 1..10.")
final class QuorumCommand implements Callable<Integer> {
  static final int MAX_N = 1000;

  @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "authorized consensus nodes, 1.." + MAX_N)
  Integer n;

  @Option(names = "--min-viable", paramLabel = "M", defaultValue = "1",
      description = "config min_viable_nodes: thresholds as if there were at least M nodes, capped at N (default 1)")
  int minViable;

  @Option(names = "--json", description = "print a JSON list of {n, f, strict, emergency, tolerates_down}")
  boolean json;

  /** One table row; the emergency threshold is shown whether or not a network enables the rule. */
  record Row(int n, int f, int strict, int emergency, int toleratesDown) {}

  @Override
  public Integer call() throws Cli.UsageException, JsonProcessingException {
    if (n != null && (n < 1 || n > MAX_N)) {
      throw new Cli.UsageException("N must be in 1.." + MAX_N + ", got " + n);
    }
    QuorumPolicy policy;
    try {
      policy = new QuorumPolicy(minViable, false, QuorumPolicy.DEFAULT_EMERGENCY_AFTER_SECS);
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException("--min-viable: " + e.getMessage());
    }
    List<Row> rows = new ArrayList<>();
    for (int k = n == null ? 1 : n; k <= (n == null ? 10 : n); k++) {
      int strict = policy.strictThreshold(k);
      rows.add(new Row(k, Quorums.f(k), strict, Quorums.majority(k), k - strict));
    }
    System.out.println(json ? toJson(rows) : toTable(rows));
    return ExitCodes.OK;
  }

  static String toJson(List<Row> rows) throws JsonProcessingException {
    List<Map<String, Integer>> list = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Integer> m = new LinkedHashMap<>();
      m.put("n", r.n());
      m.put("f", r.f());
      m.put("strict", r.strict());
      m.put("emergency", r.emergency());
      m.put("tolerates_down", r.toleratesDown());
      list.add(m);
    }
    return new ObjectMapper().writeValueAsString(list);
  }

  private String toTable(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("quorum thresholds (min_viable_nodes = ").append(minViable).append(")\n");
    sb.append(String.format("%5s %4s %7s %10s %15s%n", "n", "f", "strict", "emergency", "tolerates_down"));
    for (Row r : rows) {
      sb.append(String.format("%5d %4d %7d %10d %15d%n", r.n(), r.f(), r.strict(), r.emergency(), r.toleratesDown()));
    }
    sb.append('\n')
        .append("f               lying nodes the network survives without forking\n")
        .append("strict          votes to commit: ceil((n + f + 1) / 2), raised by min_viable_nodes but never\n")
        .append("                above n; any two strict quorums share at least f + 1 nodes\n")
        .append("emergency       simple majority, only if emergency_majority is on and the strict quorum has been\n")
        .append("                unreachable for emergency_after_secs; it tolerates crashes, not lies\n")
        .append("tolerates_down  nodes that may be down while blocks still commit at the strict threshold");
    return sb.toString();
  }
}
