package org.kinmesh.node.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.List;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.ChainParams;
import org.kinmesh.chain.Genesis;
import org.kinmesh.chain.GenesisSpec;
import org.kinmesh.chain.LedgerStore;
import org.kinmesh.chain.Mempool;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.crypto.Identity;
import org.kinmesh.store.Database;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * A ledger on SQLite with two guardians (2-of-2) and four consensus nodes, its mempool, and the
 * admin API served on loopback port 0; {@link #commitPending()} plays the consensus part.
 */
public final class AdminApiFixture implements AutoCloseable {
  public static final String CHAIN = "family";
  public static final long T0 = 1_767_225_600L;
  public static final Identity MOM = TestKeys.key(1);
  public static final Identity DAD = TestKeys.key(2);
  public static final List<Identity> NODES = List.of(TestKeys.key(11), TestKeys.key(12), TestKeys.key(13),
      TestKeys.key(14));

  public final Vertx vertx = Vertx.vertx();
  public final LedgerStore store;
  public final Mempool mempool = new Mempool(1000, 1 << 20);
  public final HttpServer server;
  private final TimeSource clock;

  public AdminApiFixture(Path dir, TimeSource clock) throws Exception {
    this.clock = clock;
    ChainParams params = new ChainParams(CHAIN, 2, 0, 30, 72, 86_400);
    Block genesis = Genesis.build(new GenesisSpec(params, T0,
        List.of(new GenesisSpec.Guardian(MOM.publicKeyHex(), "Mum"), new GenesisSpec.Guardian(DAD.publicKeyHex(), "Dad")),
        List.of(new GenesisSpec.ConsensusNode(NODES.get(0).publicKeyHex(), 1),
            new GenesisSpec.ConsensusNode(NODES.get(1).publicKeyHex(), 2),
            new GenesisSpec.ConsensusNode(NODES.get(2).publicKeyHex(), 3),
            new GenesisSpec.ConsensusNode(NODES.get(3).publicKeyHex(), 4))));
    Database db = Await.result(Database.open(vertx, dir.resolve("ledger.db"), LedgerStore.MIGRATIONS));
    store = Await.result(LedgerStore.open(db, genesis));
    TransactionIntake intake = new TransactionIntake(store::state, mempool, clock);
    Router root = Router.router(vertx);
    root.route("/admin/*").subRouter(new AdminRoutes(new LedgerAdminBackend(store, intake), false).router(vertx));
    server = Await.result(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Commits everything pending as the next block, as consensus will. */
  public void commitPending() {
    var s = store.state();
    List<Transaction> txs = mempool.peek(100, 1 << 20);
    Block b = Block.of(CHAIN, s.height() + 1, s.headHash(), Math.max(s.time(), clock.nowSeconds()),
        NODES.get(0).publicKeyHex(), List.of(), txs);
    Await.result(store.append(b));
    mempool.onCommitted(b, store.state());
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
