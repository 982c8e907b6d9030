package org.kinmesh.relay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A register group commit's statements on the relay's plain JDBC connection: read the batch's
 * authorizations and watermarks, let {@link RegisterPlan} decide, write the accepted ones with
 * two batched statements. The caller runs it inside one transaction and commits. Statements are
 * prepared once per connection; calls are serialized by the lease on the database's only
 * connection ({@code Database.withJdbcTransaction}), so this holds no lock of its own.
 */
final class RegisterSql {
  /** One row per key: 1 if authorized (0 if not), and its register watermark (NULL if none). */
  private static final String READ_KEY = "SELECT "
      // The same rule as RelayDirectory.Chain.isAuthorized: operator denial, then the followed chain, then the list.
      + "CASE WHEN EXISTS (SELECT 1 FROM operator_denied WHERE blockchain_id = ? AND pubkey = ?) THEN 0 "
      + "WHEN EXISTS (SELECT 1 FROM followed_keys WHERE blockchain_id = ? AND pubkey = ?) "
      + "THEN (SELECT active FROM followed_keys WHERE blockchain_id = ? AND pubkey = ?) "
      + "ELSE (SELECT COUNT(*) FROM authorized_nodes WHERE blockchain_id = ? AND pubkey = ?) END, "
      + "(SELECT last_ts FROM replay_watermarks WHERE kind = ? AND blockchain_id = ? AND pubkey = ?)";
  private static final String SET_WATERMARK =
      "INSERT INTO replay_watermarks (kind, blockchain_id, pubkey, last_ts) VALUES (?, ?, ?, ?) "
          + "ON CONFLICT (kind, blockchain_id, pubkey) DO UPDATE SET last_ts = excluded.last_ts";
  private static final String UPSERT_NODE =
      "INSERT INTO relay_nodes (blockchain_id, pubkey, ip, port, last_seen, sig) VALUES (?, ?, ?, ?, ?, ?) "
          + "ON CONFLICT (blockchain_id, pubkey) DO UPDATE SET ip = excluded.ip, port = excluded.port, "
          + "last_seen = excluded.last_seen, sig = excluded.sig";
  private static final String KIND = RelayStore.Kind.REGISTER.name();

  private Connection preparedFor;
  private PreparedStatement readKey;
  private PreparedStatement setWatermark;
  private PreparedStatement upsertNode;

  /** Decides every request of the batch in arrival order and writes the accepted ones (not committed). */
  List<RegisterWriter.Outcome> decideAndWrite(Connection conn, List<RegisterWriter.Pending> batch) throws SQLException {
    prepare(conn);
    Set<String> authorized = new HashSet<>();
    Map<String, Long> watermarks = new HashMap<>();
    Set<String> read = new HashSet<>();
    for (RegisterWriter.Pending p : batch) {
      String id = RegisterPlan.id(p.blockchainId(), p.pubkey());
      if (read.add(id)) {
        readKey(p.blockchainId(), p.pubkey(), id, authorized, watermarks);
      }
    }
    RegisterPlan plan = RegisterPlan.decide(batch, authorized, watermarks);
    if (!plan.accepted().isEmpty()) {
      write(plan.accepted());
    }
    return plan.outcomes();
  }

  private void readKey(String blockchainId, String pubkey, String id, Set<String> authorized,
      Map<String, Long> watermarks) throws SQLException {
    for (int i = 0; i < 4; i++) {
      readKey.setString(2 * i + 1, blockchainId);
      readKey.setString(2 * i + 2, pubkey);
    }
    readKey.setString(9, KIND);
    readKey.setString(10, blockchainId);
    readKey.setString(11, pubkey);
    try (ResultSet rs = readKey.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("no row from the register state query");
      }
      if (rs.getLong(1) > 0) {
        authorized.add(id);
      }
      long lastTs = rs.getLong(2);
      if (!rs.wasNull()) {
        watermarks.put(id, lastTs);
      }
    }
  }

  private void write(List<RegisterWriter.Pending> accepted) throws SQLException {
    try {
      for (RegisterWriter.Pending p : accepted) {
        setWatermark.setString(1, KIND);
        setWatermark.setString(2, p.blockchainId());
        setWatermark.setString(3, p.pubkey());
        setWatermark.setLong(4, p.timestamp());
        setWatermark.addBatch();
        upsertNode.setString(1, p.blockchainId());
        upsertNode.setString(2, p.pubkey());
        upsertNode.setString(3, p.ip());
        upsertNode.setInt(4, p.port());
        upsertNode.setLong(5, p.nowSecs());
        upsertNode.setString(6, p.sig());
        upsertNode.addBatch();
      }
      setWatermark.executeBatch();
      upsertNode.executeBatch();
    } finally {
      // after a failure the statements are reused for the next transaction: start it empty
      setWatermark.clearBatch();
      upsertNode.clearBatch();
    }
  }

  private void prepare(Connection conn) throws SQLException {
    if (conn == preparedFor) {
      return;
    }
    closeStatements();
    List<PreparedStatement> made = new ArrayList<>(3);
    try {
      made.add(conn.prepareStatement(READ_KEY));
      made.add(conn.prepareStatement(SET_WATERMARK));
      made.add(conn.prepareStatement(UPSERT_NODE));
    } catch (SQLException e) {
      for (PreparedStatement s : made) {
        closeQuietly(s);
      }
      throw e;
    }
    readKey = made.get(0);
    setWatermark = made.get(1);
    upsertNode = made.get(2);
    preparedFor = conn;
  }

  private void closeStatements() {
    closeQuietly(readKey);
    closeQuietly(setWatermark);
    closeQuietly(upsertNode);
    readKey = null;
    setWatermark = null;
    upsertNode = null;
    preparedFor = null;
  }

  private static void closeQuietly(PreparedStatement s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (SQLException ignored) {
      // a statement of a connection that is already gone
    }
  }
}
