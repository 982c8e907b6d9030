package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The periodic one-line summary that replaces one INFO line per empty block (issue 17). */
class ActivitySummaryTest {
  @Test
  void aPeriodIsSummedUpInOneLineAndTheNextStartsFromZero() {
    ActivitySummary s = new ActivitySummary(1_000);
    s.committed(0);
    s.committed(0);
    s.committed(3);
    s.viewChanged();
    s.peerEvent("down", null);
    s.peerEvent("path", "direct path lost");
    s.peerEvent("up", null);
    s.peerEvent("up", "path changed"); // Links' repeat after a path change: the same peer, not another
    s.peerEvent("state", null);
    assertThat(s.line(601_000, 42, "HEALTHY", 3, 3)).isEqualTo("op=summary last=10m00s height=42 blocks=3 empty=2"
        + " txs=3 view_changes=1 quorum=HEALTHY linked=3/3 peers_up=1 peers_down=1 path_changes=1");
    assertThat(s.line(602_500, 42, "DEGRADED", 2, 3)).isEqualTo("op=summary last=1s height=42 blocks=0 empty=0"
        + " txs=0 view_changes=0 quorum=DEGRADED linked=2/3 peers_up=0 peers_down=0 path_changes=0");
  }

  @Test
  void durationsReadAtAGlance() {
    assertThat(ActivitySummary.duration(0)).isEqualTo("0s");
    assertThat(ActivitySummary.duration(59_999)).isEqualTo("59s");
    assertThat(ActivitySummary.duration(61_000)).isEqualTo("1m01s");
    assertThat(ActivitySummary.duration(3_723_000)).isEqualTo("1h02m03s");
  }

  @Test
  void aNegativeTransactionCountIsRefusedAndCountsNothing() {
    ActivitySummary s = new ActivitySummary(0);
    assertThatThrownBy(() -> s.committed(-1)).hasMessageContaining("not -1");
    assertThat(s.line(0, 0, "HEALTHY", 0, 0)).contains("blocks=0 empty=0 txs=0");
  }

  private static final Pattern COUNTS = Pattern.compile("blocks=(\\d+) empty=(\\d+) txs=(\\d+)");

  /** However blocks fall between summaries, the lines add up to exactly what was committed. */
  @Property
  void linesAddUpToEveryBlockAndTransaction(@ForAll @Size(max = 200) List<@IntRange(max = 50) Integer> blocks,
      @ForAll @IntRange(min = 1, max = 20) int every) {
    ActivitySummary s = new ActivitySummary(0);
    long[] sum = new long[3];
    long now = 0;
    for (int i = 0; i < blocks.size(); i++) {
      s.committed(blocks.get(i));
      if (i % every == every - 1) {
        add(sum, s.line(now += 1_000, i, "HEALTHY", 0, 0));
      }
    }
    add(sum, s.line(now + 1_000, blocks.size(), "HEALTHY", 0, 0));
    assertThat(sum[0]).isEqualTo(blocks.size());
    assertThat(sum[1]).isEqualTo(blocks.stream().filter(t -> t == 0).count());
    assertThat(sum[2]).isEqualTo(blocks.stream().mapToLong(Integer::longValue).sum());
  }

  private static void add(long[] sum, String line) {
    Matcher m = COUNTS.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    for (int g = 0; g < 3; g++) {
      sum[g] += Long.parseLong(m.group(g + 1));
    }
  }
}
