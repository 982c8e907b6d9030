package org.kinmesh.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PathLog reads node logs in the format kinmesh writes them (lines taken from a NAT lab run). */
class PathLogTest {
  private static final String OPEN = """
      07:37:44.289 INFO  StunVerticle op=stun.state public=198.51.100.10:7070 nat=open mapping=none filtering=unknown
      07:37:45.007 INFO  LinksVerticle node=03e8d1a5 op=link.path peer=2f8cb2bd none -> relayed (no direct path)
      07:38:36.751 INFO  PunchVerticle node=03e8d1a5 op=punch.ok peer=2f8cb2bd endpoint=203.0.113.11:7070 rtt_ms=4 elapsed_ms=38253 after 37 rounds
      07:38:36.752 INFO  LinksVerticle node=03e8d1a5 op=link.udp_up peer=2f8cb2bd endpoint=203.0.113.11:7070 rtt_ms=4
      07:38:37.800 INFO  LinksVerticle node=03e8d1a5 op=link.path peer=2f8cb2bd relayed -> direct_udp (direct path steady again)
      07:38:38.000 INFO  ConsensusVerticle op=commit height=12 hash=0123456789ab txs=1 view=0
      java.lang.IllegalStateException: a stack trace line is not a log line
      """;
  private static final String RC = """
      07:37:57.617 INFO  LinksVerticle node=2f8cb2bd op=link.path peer=03e8d1a5 none -> relayed (no direct path)
      07:38:26.764 INFO  PunchVerticle node=2f8cb2bd op=punch.ok peer=03e8d1a5 endpoint=198.51.100.10:7070 rtt_ms=18 elapsed_ms=28278 after 36 rounds
      07:38:27.780 INFO  LinksVerticle node=2f8cb2bd op=link.path peer=03e8d1a5 relayed -> direct_udp (direct path steady again)
      07:38:33.767 INFO  LinksVerticle node=2f8cb2bd op=link.path peer=03e8d1a5 direct_udp -> relayed (direct_udp silent or failed)
      07:38:44.001 INFO  LinksVerticle node=2f8cb2bd op=link.path peer=03e8d1a5 relayed -> direct_udp (direct path steady again)
      """;

  private static long t(int h, int m, int s, int ms) {
    return ((h * 60L + m) * 60 + s) * 1000 + ms;
  }

  @Test
  void readsPunchesPathChangesAndCommits() {
    PathLog log = PathLog.parse(OPEN);
    assertThat(log.punches()).containsExactly(new PathLog.PunchOk(t(7, 38, 36, 751), "2f8cb2bd",
        "203.0.113.11:7070", 4, 38_253));
    assertThat(log.punches().get(0).attemptStartMs()).isEqualTo(t(7, 37, 58, 498));
    assertThat(log.changes()).extracting(PathLog.PathChange::to).containsExactly("relayed", "direct_udp");
    assertThat(log.changes().get(1).why()).isEqualTo("direct path steady again");
    assertThat(log.commit(12)).contains(new PathLog.Commit(t(7, 38, 38, 0), 12, 1));
    assertThat(log.commit(13)).isEmpty();
  }

  @Test
  void pairTimingIsFromTheLaterAttemptStartToTheLaterPunch() {
    PathLog open = PathLog.parse(OPEN);
    PathLog rc = PathLog.parse(RC);
    PathLog.PairTiming p = PathLog.pair(open, "03e8d1a5", rc, "2f8cb2bd").orElseThrow();
    // rc began at 07:37:58.486, open at 07:37:58.498: both knew from .498; open punched last, at 07:38:36.751
    assertThat(p.knownAt()).isEqualTo(t(7, 37, 58, 498));
    assertThat(p.punchMs()).isEqualTo(38_253);
    // traffic on the UDP path: rc first at 07:38:27.780, open at 07:38:37.800 (the later one counts)
    assertThat(p.trafficMs()).contains(t(7, 38, 37, 800) - t(7, 37, 58, 498));
    assertThat(rc.changesFor("03e8d1a5")).extracting(PathLog.PathChange::to)
        .containsExactly("relayed", "direct_udp", "relayed", "direct_udp");
  }

  @Test
  void noPairTimingUnlessBothEndsPunched() {
    PathLog open = PathLog.parse(OPEN);
    PathLog silent = PathLog.parse("07:37:57.617 INFO  LinksVerticle node=2f8cb2bd op=link.path peer=03e8d1a5"
        + " none -> relayed (no direct path)\n");
    assertThat(PathLog.pair(open, "03e8d1a5", silent, "2f8cb2bd")).isEmpty();
    assertThat(PathLog.pair(PathLog.parse(""), "03e8d1a5", silent, "2f8cb2bd")).isEmpty();
  }

  @Test
  void trafficTimeIsAbsentWhenOneEndNeverMovedOntoUdp() {
    String rcNoMove = "07:38:26.764 INFO  PunchVerticle node=2f8cb2bd op=punch.ok peer=03e8d1a5"
        + " endpoint=198.51.100.10:7070 rtt_ms=18 elapsed_ms=28278 after 36 rounds\n";
    PathLog.PairTiming p = PathLog.pair(PathLog.parse(OPEN), "03e8d1a5", PathLog.parse(rcNoMove), "2f8cb2bd")
        .orElseThrow();
    assertThat(p.trafficMs()).isEqualTo(Optional.empty());
  }

  @Test
  void aLogCrossingMidnightKeepsCounting() {
    PathLog log = PathLog.parse("""
        23:59:59.900 INFO  ConsensusVerticle op=commit height=1 hash=aaaaaaaaaaaa txs=0 view=0
        00:00:00.100 INFO  ConsensusVerticle op=commit height=2 hash=bbbbbbbbbbbb txs=0 view=0
        """);
    assertThat(log.commit(2).orElseThrow().atMs() - log.commit(1).orElseThrow().atMs()).isEqualTo(200);
  }

  @Test
  void anEventLineInAnotherFormatIsAnErrorNotASilentGap() {
    assertThatThrownBy(() -> PathLog.parse("07:38:36.751 INFO  PunchVerticle node=03e8d1a5 op=punch.ok peer=2f8cb2bd"
        + " endpoint=203.0.113.11:7070 elapsed=38253\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected log line format");
    assertThatThrownBy(() -> PathLog.parse("07:38:36.751 INFO  LinksVerticle node=03e8d1a5 op=link.path peer=2f8cb2bd"
        + " relayed to direct_udp\n")).isInstanceOf(IllegalArgumentException.class);
  }
}
