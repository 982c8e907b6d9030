package org.kinmesh.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.kinmesh.lab.NatLab.Kind;

/**
 * The NAT kind × NAT kind matrix (pure): what each pair of lab nodes ended up using, seen from
 * both ends, with its punch timing, and what the NAT kinds predict. Built by the matrix lab test
 * and the NAT bench from /peers and the nodes' logs; rendered as the markdown of
 * docs/nat-traversal.md's measured matrix.
 */
public final class NatMatrix {
  public enum Outcome {
    /** Both ends send on a direct path. */
    DIRECT,
    /** Both ends send through the relay. */
    RELAYED,
    /** The ends disagree (or one has no path): a finding in itself. */
    MIXED;

    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What the NAT kinds predict for punching with a peer-reflexive endpoint (docs/nat-traversal.md
   * §2): a direct path unless one side is symmetric and the other filters by address and port
   * (port-restricted or symmetric). A symmetric side's probe leaves from a port nobody could
   * predict; it gets in where filtering does not look at the source port (open, full cone:
   * nothing filtered; restricted: its IP was already sent to), and the answer to that probe
   * tells the other side the port to use.
   */
  public static Outcome expected(Kind a, Kind b) {
    boolean hard = a == Kind.SYMMETRIC && (b == Kind.PORT_RESTRICTED || b == Kind.SYMMETRIC)
        || b == Kind.SYMMETRIC && (a == Kind.PORT_RESTRICTED || a == Kind.SYMMETRIC);
    return hard ? Outcome.RELAYED : Outcome.DIRECT;
  }

  /** One end's view of the other (from its /peers entry): path, endpoint, why. */
  public record View(String path, String endpoint, String why) {
    public boolean direct() {
      return path != null && path.startsWith("direct");
    }

    public boolean relayed() {
      return "relayed".equals(path);
    }
  }

  /** One pair of nodes: a and b with their kinds, each one's view of the other, the punch timing. */
  public record Cell(String a, Kind ka, String b, Kind kb, View ab, View ba, Optional<PathLog.PairTiming> timing) {
    public Outcome outcome() {
      if (ab.direct() && ba.direct()) {
        return Outcome.DIRECT;
      }
      return ab.relayed() && ba.relayed() ? Outcome.RELAYED : Outcome.MIXED;
    }

    public Outcome expected() {
      return NatMatrix.expected(ka, kb);
    }

    /** "direct_udp 312 ms", "relayed", "mixed: direct_udp / relayed". */
    public String summary() {
      return switch (outcome()) {
        case DIRECT -> (ab.path().equals(ba.path()) ? ab.path() : ab.path() + "/" + ba.path())
            + timing.map(t -> " " + t.punchMs() + " ms").orElse("");
        case RELAYED -> "relayed";
        case MIXED -> "mixed: " + ab.path() + " / " + ba.path();
      };
    }
  }

  private final List<Cell> cells = new ArrayList<>();

  public void add(Cell c) {
    cells.add(c);
  }

  public List<Cell> cells() {
    return List.copyOf(cells);
  }

  /** The cell for this pair of kinds (either order), if measured (the first, when several pairs have these kinds). */
  public Optional<Cell> cell(Kind x, Kind y) {
    return cells(x, y).stream().findFirst();
  }

  /** Every measured pair of these kinds (either order). */
  public List<Cell> cells(Kind x, Kind y) {
    return cells.stream().filter(c -> c.ka() == x && c.kb() == y || c.ka() == y && c.kb() == x).toList();
  }

  /**
   * What the pairs of these kinds did: one pair's summary; for several, the shared outcome with
   * the median punch time (and how many pairs), or "mixed" with the count of each outcome.
   */
  public String summary(Kind x, Kind y) {
    List<Cell> cs = cells(x, y);
    if (cs.isEmpty()) {
      return "·";
    }
    if (cs.size() == 1) {
      return cs.get(0).summary();
    }
    java.util.Map<Outcome, Long> by = new java.util.EnumMap<>(Outcome.class);
    cs.forEach(c -> by.merge(c.outcome(), 1L, Long::sum));
    if (by.size() > 1) {
      StringBuilder sb = new StringBuilder("mixed:");
      by.forEach((o, n) -> sb.append(' ').append(n).append(' ').append(o.text()));
      return sb.toString();
    }
    if (by.containsKey(Outcome.RELAYED)) {
      return "relayed (" + cs.size() + " pairs)";
    }
    List<String> paths = cs.stream().flatMap(c -> java.util.stream.Stream.of(c.ab().path(), c.ba().path()))
        .distinct().toList();
    List<Long> ms = cs.stream().flatMap(c -> c.timing().stream()).map(PathLog.PairTiming::punchMs).toList();
    return (paths.size() == 1 ? paths.get(0) : "direct") + (ms.isEmpty() ? "" : String.format(Locale.ROOT,
        " %.0f ms", median(ms))) + " (" + cs.size() + " pairs)";
  }

  /** Kind × kind table: each kind pair's {@link #summary}, "·" where no pair of those kinds ran. */
  public String table() {
    StringBuilder sb = new StringBuilder("| |");
    for (Kind k : Kind.values()) {
      sb.append(' ').append(k.label()).append(" |");
    }
    sb.append("\n|---|");
    sb.append("---|".repeat(Kind.values().length)).append('\n');
    for (Kind row : Kind.values()) {
      sb.append("| **").append(row.label()).append("** |");
      for (Kind col : Kind.values()) {
        sb.append(' ').append(summary(row, col)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** One line per pair and direction: path, endpoint, why, and the timing. */
  public String details() {
    StringBuilder sb = new StringBuilder();
    for (Cell c : cells) {
      sb.append(String.format(Locale.ROOT, "%s(%s) - %s(%s): %s, expected %s%s%n", c.a(), c.ka().label(), c.b(),
          c.kb().label(), c.outcome().text(), c.expected().text(),
          c.timing().map(t -> String.format(Locale.ROOT, "; punched %d ms after both knew, traffic on it after %s",
              t.punchMs(), t.trafficMs().map(ms -> ms + " ms").orElse("(never)"))).orElse("")));
      sb.append(String.format(Locale.ROOT, "    %s -> %s: %s endpoint=%s why=%s%n", c.a(), c.b(), c.ab().path(),
          c.ab().endpoint(), c.ab().why()));
      sb.append(String.format(Locale.ROOT, "    %s -> %s: %s endpoint=%s why=%s%n", c.b(), c.a(), c.ba().path(),
          c.ba().endpoint(), c.ba().why()));
    }
    return sb.toString();
  }

  /** The p-th percentile (nearest rank) of the values; NaN when there are none. */
  public static double percentile(List<? extends Number> values, double p) {
    if (p < 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be within 0..100, got " + p);
    }
    double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  /** Median of the values (the mean of the middle two for an even count); NaN when empty. */
  public static double median(List<? extends Number> values) {
    double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
