package org.kinmesh.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node's log (logback's default pattern, {@code HH:mm:ss.SSS LEVEL Logger message}) says
 * about its paths: each {@code op=punch.ok} (a punched path opened, with the attempt's age) and
 * each {@code op=link.path} (traffic moved from one path to another), plus {@code op=commit}
 * lines. Pure: parses text, knows nothing of processes. Times are milliseconds of the day; all
 * lab processes share one clock, so times from different nodes' logs compare directly.
 */
public final class PathLog {
  private static final Pattern LINE = Pattern.compile("^(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3}) +\\S+ +\\S+ +(.*)$");
  private static final Pattern PUNCH_OK = Pattern.compile(
      "op=punch\\.ok peer=([0-9a-f]{1,64}) endpoint=(\\S+) rtt_ms=(-?\\d+) elapsed_ms=(\\d+)");
  private static final Pattern LINK_PATH = Pattern.compile(
      "op=link\\.path peer=([0-9a-f]{1,64}) ([a-z_]+) -> ([a-z_]+) \\((.*)\\)$");
  private static final Pattern COMMIT = Pattern.compile("op=commit height=(\\d+) hash=\\S+ txs=(\\d+)");
  public static final long DAY_MS = 86_400_000L;

  /** A punched path opened at {@code atMs}; the attempt had begun {@code elapsedMs} before. */
  public record PunchOk(long atMs, String peer, String endpoint, long rttMs, long elapsedMs) {
    public long attemptStartMs() {
      return atMs - elapsedMs;
    }
  }

  /** Traffic to peer moved from one path to another at atMs. */
  public record PathChange(long atMs, String peer, String from, String to, String why) {}

  public record Commit(long atMs, long height, int txs) {}

  private final List<PunchOk> punches = new ArrayList<>();
  private final List<PathChange> changes = new ArrayList<>();
  private final List<Commit> commits = new ArrayList<>();

  private PathLog() {}

  /**
   * Parses a whole log. Lines that are not log lines (stack traces, stdout) or are other events
   * are skipped; a line that names one of our events but does not parse is an error, so a
   * changed log format cannot silently empty a measurement. Times that go backwards by more than
   * 12 hours are taken as the log crossing midnight.
   */
  public static PathLog parse(String log) {
    PathLog out = new PathLog();
    long dayOffset = 0;
    long last = -1;
    for (String line : log.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      long t = ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3)))
          * 1000 + Long.parseLong(m.group(4));
      if (last >= 0 && t + dayOffset < last - DAY_MS / 2) {
        dayOffset += DAY_MS;
      }
      t += dayOffset;
      last = t;
      String msg = m.group(5);
      if (msg.contains("op=punch.ok ")) {
        Matcher p = require(PUNCH_OK, msg, line);
        out.punches.add(new PunchOk(t, p.group(1), p.group(2), Long.parseLong(p.group(3)), Long.parseLong(p.group(4))));
      } else if (msg.contains("op=link.path ")) {
        Matcher p = require(LINK_PATH, msg, line);
        out.changes.add(new PathChange(t, p.group(1), p.group(2), p.group(3), p.group(4)));
      } else if (msg.startsWith("op=commit ")) {
        Matcher p = require(COMMIT, msg, line);
        out.commits.add(new Commit(t, Long.parseLong(p.group(1)), Integer.parseInt(p.group(2))));
      }
    }
    return out;
  }

  private static Matcher require(Pattern p, String msg, String line) {
    Matcher m = p.matcher(msg);
    if (!m.find()) {
      throw new IllegalArgumentException("unexpected log line format: " + line);
    }
    return m;
  }

  public List<PunchOk> punches() {
    return List.copyOf(punches);
  }

  public List<PathChange> changes() {
    return List.copyOf(changes);
  }

  public List<Commit> commits() {
    return List.copyOf(commits);
  }

  /** The first punched path to the peer whose key starts with shortId. */
  public Optional<PunchOk> firstPunch(String shortId) {
    return punches.stream().filter(p -> shortId.startsWith(p.peer()) || p.peer().startsWith(shortId)).findFirst();
  }

  /** The first time traffic to that peer moved onto the punched UDP path. */
  public Optional<PathChange> firstDirectUdp(String shortId) {
    return changes.stream().filter(c -> (shortId.startsWith(c.peer()) || c.peer().startsWith(shortId))
        && c.to().equals("direct_udp")).findFirst();
  }

  /** Path changes toward that peer, in order. */
  public List<PathChange> changesFor(String shortId) {
    return changes.stream().filter(c -> shortId.startsWith(c.peer()) || c.peer().startsWith(shortId)).toList();
  }

  /** When this node committed the block at height, if it did. */
  public Optional<Commit> commit(long height) {
    return commits.stream().filter(c -> c.height() == height).findFirst();
  }

  /**
   * How one pair of nodes got its direct path, from both ends' logs. {@code knownAt}: the later
   * of the two attempts' starts, i.e. when both sides knew (or were being probed from) the
   * other's endpoint; {@code punchedAt}: when the later side's punch succeeded (both ends then
   * have the path); {@code directAt}: when the later side moved traffic onto the punched UDP
   * path (absent when one side never did).
   */
  public record PairTiming(long knownAt, long punchedAt, Optional<Long> directAt) {
    /** Time to a direct path once both sides know each other's endpoints. */
    public long punchMs() {
      return punchedAt - knownAt;
    }

    public Optional<Long> trafficMs() {
      return directAt.map(d -> d - knownAt);
    }
  }

  /** The pair's timing, or empty unless both ends logged a punched path to each other. */
  public static Optional<PairTiming> pair(PathLog a, String aShortId, PathLog b, String bShortId) {
    Optional<PunchOk> pa = a.firstPunch(bShortId);
    Optional<PunchOk> pb = b.firstPunch(aShortId);
    if (pa.isEmpty() || pb.isEmpty()) {
      return Optional.empty();
    }
    long known = Math.max(pa.get().attemptStartMs(), pb.get().attemptStartMs());
    long punched = Math.max(pa.get().atMs(), pb.get().atMs());
    Optional<PathChange> da = a.firstDirectUdp(bShortId);
    Optional<PathChange> db = b.firstDirectUdp(aShortId);
    Optional<Long> direct = da.isPresent() && db.isPresent()
        ? Optional.of(Math.max(da.get().atMs(), db.get().atMs())) : Optional.empty();
    return Optional.of(new PairTiming(known, punched, direct));
  }
}
