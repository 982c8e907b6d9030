package org.kinmesh.gossip;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.store.Database;
import org.kinmesh.store.Migration;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.NatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent peer cache, {@code data_dir/peers.db} (its own SQLite file, apart from the
 * ledger): the best endpoints of each peer, and the node's own announce version. A save
 * replaces the whole cache in one transaction, so a crash or an error half-way leaves the
 * previous cache whole. Rows that no longer parse (hand-edited, or from a newer version) are
 * skipped at load and counted, never trusted.
 */
public final class PeerStore {
  private static final Logger LOG = LoggerFactory.getLogger(PeerStore.class);

  static final List<Migration> MIGRATIONS = List.of(new Migration(1, "peer endpoint cache", List.of(
      "CREATE TABLE peer_endpoints (pubkey TEXT NOT NULL, endpoint TEXT NOT NULL, nat_type TEXT NOT NULL, "
          + "last_seen BIGINT NOT NULL, version BIGINT NOT NULL, score DOUBLE PRECISION NOT NULL, "
          + "source TEXT NOT NULL, PRIMARY KEY (pubkey, endpoint))",
      "CREATE TABLE gossip_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)")));

  private static final String OWN_VER = "own_ver";

  /** What a load found: the rows it could use, how many it skipped, our own last version. */
  public record Loaded(List<CachedEndpoint> rows, int skipped, long ownVer) {}

  private final Database db;

  private PeerStore(Database db) {
    this.db = db;
  }

  public static Future<PeerStore> open(Vertx vertx, Path file) {
    return Database.open(vertx, file, MIGRATIONS).map(PeerStore::new);
  }

  public Future<Loaded> load() {
    return db.pool().query("SELECT pubkey, endpoint, nat_type, last_seen, version, score, source FROM peer_endpoints "
            + "ORDER BY pubkey, score DESC").execute()
        .compose(rows -> {
          List<CachedEndpoint> out = new ArrayList<>();
          int skipped = 0;
          for (Row r : rows) {
            CachedEndpoint c = parse(r);
            if (c == null) {
              skipped++;
            } else {
              out.add(c);
            }
          }
          int bad = skipped;
          return db.pool().preparedQuery("SELECT value FROM gossip_state WHERE name = ?").execute(Tuple.of(OWN_VER))
              .map(v -> new Loaded(out, bad, v.size() == 0 ? 0 : v.iterator().next().getLong("value")));
        });
  }

  private static CachedEndpoint parse(Row r) {
    try {
      String key = r.getString("pubkey");
      if (!WireRules.isPublicKeyHex(key)) {
        return null;
      }
      Endpoint ep = Endpoint.parse(r.getString("endpoint"));
      NatType nat = NatType.fromWire(r.getString("nat_type"));
      long lastSeen = r.getLong("last_seen");
      long version = r.getLong("version");
      double score = r.getDouble("score");
      if (lastSeen < 0 || version < 0 || !(score >= 0 && score <= EndpointScore.MAX)) {
        return null;
      }
      return new CachedEndpoint(key, ep, nat, lastSeen, version, score, Source.parse(r.getString("source")));
    } catch (WireException | RuntimeException e) {
      return null;
    }
  }

  /** Replaces the cache with {@code rows} and records our version, all in one transaction. */
  public Future<Void> save(List<CachedEndpoint> rows, long ownVer) {
    List<Tuple> batch = new ArrayList<>(rows.size());
    for (CachedEndpoint c : rows) {
      batch.add(Tuple.of(c.pubkey(), c.endpoint().toString(), c.nat().wire(), c.lastSeenSecs(), c.version(), c.score(),
          Source.format(c.sources())));
    }
    return db.pool().withTransaction(conn -> conn.query("DELETE FROM peer_endpoints").execute()
        .compose(v -> batch.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
            "INSERT INTO peer_endpoints (pubkey, endpoint, nat_type, last_seen, version, score, source) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)").executeBatch(batch).mapEmpty())
        .compose(v -> upsertOwnVer(conn, ownVer)))
        .onFailure(e -> LOG.warn("op=gossip.cache_save rows={} err={} (the previous cache is kept); check the disk"
            + " holding data_dir", rows.size(),
            e.toString()))
        .mapEmpty();
  }

  /** Records our announce version before the announce goes out. */
  public Future<Void> saveOwnVer(long ownVer) {
    return db.pool().withTransaction(conn -> upsertOwnVer(conn, ownVer));
  }

  private static Future<Void> upsertOwnVer(io.vertx.sqlclient.SqlConnection conn, long ownVer) {
    return conn.preparedQuery("INSERT INTO gossip_state (name, value) VALUES (?, ?) "
        + "ON CONFLICT (name) DO UPDATE SET value = excluded.value").execute(Tuple.of(OWN_VER, ownVer)).mapEmpty();
  }

  public Path file() {
    return db.file();
  }

  public Future<Void> close() {
    return db.close();
  }
}
