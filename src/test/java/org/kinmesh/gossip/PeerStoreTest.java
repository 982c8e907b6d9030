package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.store.Database;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;

/** The peer cache in its own SQLite file: round trip, whole replacement, atomic saves, bad rows skipped. */
class PeerStoreTest {
  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  static List<CachedEndpoint> rows(int peers, int perPeer, int portBase) {
    List<CachedEndpoint> out = new ArrayList<>();
    for (int p = 0; p < peers; p++) {
      for (int e = 0; e < perPeer; e++) {
        out.add(new CachedEndpoint(TestKeys.key(600 + p).publicKeyHex(), new Endpoint("192.0.2." + (e + 1),
            portBase + p), NatType.PORT_RESTRICTED, 1_767_225_600L + p, 1_000 + p, 42.5 - e,
            Source.GOSSIP.bit() | Source.RELAY.bit()));
      }
    }
    return out;
  }

  PeerStore open() {
    return Await.result(PeerStore.open(vertx, dir.resolve("peers.db")));
  }

  @Test
  void savesAndLoadsTheCacheAndOurVersion() {
    PeerStore s = open();
    PeerStore.Loaded empty = Await.result(s.load());
    assertThat(empty.rows()).isEmpty();
    assertThat(empty.ownVer()).isZero();
    List<CachedEndpoint> saved = rows(5, 3, 7000);
    Await.result(s.save(saved, 123_456));
    Await.result(s.close());
    PeerStore again = open();
    PeerStore.Loaded loaded = Await.result(again.load());
    assertThat(loaded.rows()).containsExactlyInAnyOrderElementsOf(saved);
    assertThat(loaded.ownVer()).isEqualTo(123_456);
    assertThat(loaded.skipped()).isZero();
    // A save replaces the whole cache.
    List<CachedEndpoint> next = rows(2, 1, 9000);
    Await.result(again.save(next, 123_999));
    assertThat(Await.result(again.load()).rows()).containsExactlyInAnyOrderElementsOf(next);
    Await.result(again.saveOwnVer(200_000));
    assertThat(Await.result(again.load()).ownVer()).isEqualTo(200_000);
    Await.result(again.close());
  }

  @Test
  void aSaveThatFailsHalfWayLeavesThePreviousCacheWhole() {
    PeerStore s = open();
    List<CachedEndpoint> previous = rows(10, 3, 7000);
    Await.result(s.save(previous, 77));
    // The new cache fails on its 40th row (a duplicate primary key), after the delete and 39 inserts ran.
    List<CachedEndpoint> broken = new ArrayList<>(rows(20, 2, 8000));
    broken.add(39, broken.get(0));
    Throwable err = Await.failure(s.save(broken, 88));
    assertThat(err.getMessage()).containsIgnoringCase("constraint");
    Await.result(s.close());
    // Reopened from the file (as after a crash): the previous cache, every row of it, and its version.
    PeerStore.Loaded loaded = Await.result(open().load());
    assertThat(loaded.rows()).containsExactlyInAnyOrderElementsOf(previous);
    assertThat(loaded.ownVer()).isEqualTo(77);
  }

  @Test
  void rowsThatDoNotParseAreSkippedNotTrusted() {
    PeerStore s = open();
    Await.result(s.save(rows(1, 1, 7000), 1));
    Await.result(s.close());
    Database db = Await.result(Database.open(vertx, dir.resolve("peers.db"), PeerStore.MIGRATIONS));
    String key = TestKeys.key(601).publicKeyHex();
    String insert = "INSERT INTO peer_endpoints (pubkey, endpoint, nat_type, last_seen, version, score, source) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)";
    List<Tuple> bad = List.of(
        Tuple.of("NOT-A-KEY", "192.0.2.1:1", "open", 1L, 1L, 1.0, "gossip"),
        Tuple.of(key, "example.org:1", "open", 1L, 1L, 1.0, "gossip"),
        Tuple.of(key, "192.0.2.2:1", "carrier_grade", 1L, 1L, 1.0, "gossip"),
        Tuple.of(key, "192.0.2.3:1", "open", 1L, -1L, 1.0, "gossip"),
        Tuple.of(key, "192.0.2.4:1", "open", 1L, 1L, 1e9, "gossip"));
    Await.result(db.pool().withTransaction(c -> c.preparedQuery(insert).executeBatch(bad)));
    Await.result(db.close());
    PeerStore.Loaded loaded = Await.result(open().load());
    assertThat(loaded.rows()).hasSize(1);
    assertThat(loaded.skipped()).isEqualTo(5);
  }
}
