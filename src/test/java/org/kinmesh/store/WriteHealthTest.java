package org.kinmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The pure record of failed writes behind /health's disk_full. */
class WriteHealthTest {
  @Test
  void aFullDiskSaysWhereToFreeSpaceBacksOffAndClearsOnSuccess() {
    WriteHealth h = new WriteHealth(Path.of("/data/node/ledger.db"), "retried");
    SQLException full = new SQLException("[SQLITE_FULL] Insertion failed because database is full");
    assertThat(h.failed(full, 1_000)).isEqualTo(WriteHealth.FIRST_RETRY_MS);
    assertThat(h.failed(full, 2_000)).isEqualTo(2 * WriteHealth.FIRST_RETRY_MS);
    for (int i = 0; i < 20; i++) {
      assertThat(h.failed(full, 3_000)).isLessThanOrEqualTo(WriteHealth.MAX_RETRY_MS);
    }
    WriteHealth.Status s = h.status();
    assertThat(s.ok()).isFalse();
    assertThat(s.reason()).isEqualTo("disk_full");
    assertThat(s.message()).contains("free space at /data/node");
    assertThat(s.failingSinceMs()).isEqualTo(1_000);
    assertThat(h.succeeded()).isTrue();
    assertThat(h.status().ok()).isTrue();
    assertThat(h.status().writeFailures()).isEqualTo(22);
    assertThat(h.succeeded()).isFalse();
    assertThat(h.failed(new SQLException("locked"), 5_000)).isEqualTo(WriteHealth.FIRST_RETRY_MS);
    assertThat(h.status().reason()).isEqualTo("write_failed");
  }
}
