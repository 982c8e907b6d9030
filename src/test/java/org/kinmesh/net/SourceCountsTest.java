package org.kinmesh.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SourceCountsTest {
  /**
   * Any sequence of opens and closes over a few addresses: no address ever counts more than the
   * cap, a refused open changes nothing, and an address with nothing open leaves the table.
   */
  @Property
  void neverOverTheCapAndNothingLeftBehind(@ForAll @IntRange(min = 1, max = 5) int cap,
      @ForAll @Size(max = 200) List<@IntRange(min = -3, max = 3) Integer> ops) {
    SourceCounts counts = new SourceCounts(cap);
    Map<String, Integer> model = new HashMap<>();
    for (int op : ops) {
      String ip = "10.0.0." + Math.abs(op);
      int now = model.getOrDefault(ip, 0);
      if (op >= 0) {
        boolean ok = counts.tryAcquire(ip);
        assertThat(ok).isEqualTo(now < cap);
        if (ok) {
          model.put(ip, now + 1);
        }
      } else if (now > 0) {
        counts.release(ip);
        model.put(ip, now - 1);
      }
      assertThat(counts.open(ip)).isEqualTo(model.getOrDefault(ip, 0)).isLessThanOrEqualTo(cap);
    }
    model.values().removeIf(n -> n == 0);
    assertThat(counts.sources()).isEqualTo(model.size());
  }
}
