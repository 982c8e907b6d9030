package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13.6: a damaged commit certificate on the stored head block. The node must refuse to start
 * and say what is wrong and how to fix it (delete the ledger database: the node re-syncs from its
 * peers), and that fix must work.
 */
class DamagedCertificateTest {
  @TempDir
  Path dir;

  @Test
  void aHeadCertificateBelowQuorumStopsTheStartWithTheFix() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.startAll();
      net.awaitHeightOnUpNodes(4);
      net.stop(3);
      Path db = dir.resolve("n3").resolve("ledger.db");
      long head = damageHeadCertificate(db, cert -> {
        // one valid signed commit is left: every signature checks, but one signer is not a quorum
        JsonArray commits = cert.getJsonArray("commits");
        cert.put("commits", new JsonArray().add(commits.getValue(0)));
      });

      assertThatThrownBy(() -> net.restart(3)).hasStackTraceContaining("commit certificate of block " + head)
          .hasStackTraceContaining("1 of the 3 signatures")
          .hasStackTraceContaining("delete " + db);
      net.stop(3); // closes the Vert.x of the refused start

      // the fix the message gives: without the ledger database the node re-syncs from its peers
      Files.delete(db);
      Files.deleteIfExists(Path.of(db + "-wal"));
      Files.deleteIfExists(Path.of(db + "-shm"));
      net.restart(3);
      net.awaitHeight(3, net.maxHeight() + 2);
      net.assertNoFork();
    }
  }

  @Test
  void aHeadCertificateForAnotherBlockStopsTheStart() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.startAll();
      net.awaitHeightOnUpNodes(4);
      net.stop(3);
      Path db = dir.resolve("n3").resolve("ledger.db");
      // the previous block's certificate (all its signatures valid) stored on the head
      String previous;
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          ResultSet r = c.createStatement().executeQuery("SELECT body FROM blocks ORDER BY height DESC LIMIT 1 OFFSET 1")) {
        r.next();
        previous = new JsonObject(r.getString(1)).getJsonObject("commit_certificate").encode();
      }
      long head = damageHeadCertificate(db, cert -> {
        cert.clear();
        cert.mergeIn(new JsonObject(previous));
      });
      assertThatThrownBy(() -> net.restart(3)).hasStackTraceContaining("commit certificate of block " + head)
          .hasStackTraceContaining("is for height " + (head - 1));
      net.stop(3);
    }
  }

  /** Rewrites the head block's commit_certificate in the body column; returns the head height. */
  static long damageHeadCertificate(Path db, java.util.function.Consumer<JsonObject> damage) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      long height;
      JsonObject body;
      try (ResultSet r = c.createStatement().executeQuery("SELECT height, body FROM blocks ORDER BY height DESC LIMIT 1")) {
        r.next();
        height = r.getLong(1);
        body = new JsonObject(r.getString(2));
      }
      damage.accept(body.getJsonObject("commit_certificate"));
      try (PreparedStatement p = c.prepareStatement("UPDATE blocks SET body = ? WHERE height = ?")) {
        p.setString(1, body.encode());
        p.setLong(2, height);
        assertThat(p.executeUpdate()).isEqualTo(1);
      }
      return height;
    }
  }
}
