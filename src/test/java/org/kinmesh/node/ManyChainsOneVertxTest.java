package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;

/**
 * Issue 14: three chains of four nodes each in ONE Vert.x instance, every node with its own
 * bus_namespace, each chain with its own relay. Each chain commits exactly its own transactions, and
 * an inbound interceptor on the shared bus shows that every message delivered to a node's verticle
 * was addressed in that node's own namespace (public or internal): no internal message reaches
 * another node, and the address sets of different nodes are disjoint. With the old fixed addresses
 * (kinmesh.internal.*) this fails: a node's verticles receive the other nodes' wiring.
 */
class ManyChainsOneVertxTest {
  private static final int CHAINS = 3;
  private static final int NODES = 4;

  @TempDir
  Path dir;

  @Test
  void threeChainsOfFourNodesShareOneVertxWithoutCrossTalk() throws Exception {
    Vertx vertx = Vertx.vertx();
    /** deployment id of the receiving verticle -> addresses it was delivered. */
    Map<String, Set<String>> delivered = new ConcurrentHashMap<>();
    vertx.eventBus().addInboundInterceptor(dc -> {
      Context c = Vertx.currentContext();
      String deployment = c == null ? null : c.deploymentID();
      // Reply addresses (__vertx.reply.N) are minted per request by Vert.x, unique in the instance.
      if (deployment != null && !dc.message().address().startsWith("__vertx.reply.")) {
        delivered.computeIfAbsent(deployment, k -> ConcurrentHashMap.newKeySet()).add(dc.message().address());
      }
      dc.next();
    });
    List<TestNetwork> nets = new ArrayList<>();
    try {
      for (int c = 0; c < CHAINS; c++) {
        Path d = dir.resolve("chain" + c);
        java.nio.file.Files.createDirectories(d);
        nets.add(new TestNetwork(d, NODES, (i, json) -> { }, vertx, "chain" + c, 101 + NODES * c).startAll());
      }
      // One transaction per chain, submitted to a different node of each.
      List<Transaction> txs = new ArrayList<>();
      long ts = System.currentTimeMillis() / 1000;
      for (int c = 0; c < CHAINS; c++) {
        TestNetwork net = nets.get(c);
        Transaction tx = Transaction.sign(net.guardian, net.chain, 1, ts, new Payload.Data("0" + c + "ab".repeat(20)));
        txs.add(tx);
        assertThat(net.submit(c % NODES, tx).getString("hash")).isEqualTo(tx.hash());
      }
      for (int c = 0; c < CHAINS; c++) {
        TestNetwork net = nets.get(c);
        String own = txs.get(c).hash();
        for (int i = 0; i < NODES; i++) {
          TestNetwork.Member m = net.node(i);
          TestNetwork.await(m.reached(m.height() + 1), TestNetwork.WAIT);
          while (!m.committedTxs.contains(own)) {
            TestNetwork.await(m.reached(m.height() + 1), TestNetwork.WAIT);
          }
        }
        net.assertNoFork();
      }
      // Each chain committed only its own transaction.
      for (int c = 0; c < CHAINS; c++) {
        for (TestNetwork.Member m : nets.get(c).nodes()) {
          assertThat(m.committedTxs).as("chain %d node %d", c, m.index).containsExactly(txs.get(c).hash());
        }
      }
      // Every delivery to a node's verticle was addressed in that node's namespace.
      Map<String, Set<String>> byNode = new HashMap<>();
      for (TestNetwork net : nets) {
        for (TestNetwork.Member m : net.nodes()) {
          String ns = m.config.busScope().namespace();
          Set<String> mine = new TreeSet<>();
          for (String deployment : m.node.deploymentIds()) {
            mine.addAll(delivered.getOrDefault(deployment, Set.of()));
          }
          assertThat(mine).as("addresses delivered to node %s", ns).isNotEmpty()
              .allSatisfy(a -> assertThat(a).as("delivered to node %s", ns).startsWith(ns + "."));
          assertThat(mine).as("node %s's own wiring was used", ns)
              .anyMatch(a -> a.startsWith(ns + ".internal."));
          byNode.put(ns, mine);
        }
      }
      List<String> names = new ArrayList<>(byNode.keySet());
      for (int a = 0; a < names.size(); a++) {
        for (int b = a + 1; b < names.size(); b++) {
          Set<String> common = new TreeSet<>(byNode.get(names.get(a)));
          common.retainAll(byNode.get(names.get(b)));
          assertThat(common).as("addresses used by both %s and %s", names.get(a), names.get(b)).isEmpty();
        }
      }
      assertThat(byNode).hasSize(CHAINS * NODES);
    } finally {
      for (TestNetwork net : nets) {
        net.close();
      }
      TestNetwork.await(vertx.close(), TestNetwork.WAIT);
    }
  }

  @Test
  void aSecondNodeWithTheSameNamespaceIsRefusedAtStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestNetwork net = new TestNetwork(dir, 2, (i, json) -> json.put("bus_namespace", "same"), vertx, "dup", 101)) {
      net.restart(0);
      Throwable refused = null;
      try {
        net.restart(1);
      } catch (AssertionError e) {
        refused = e.getCause();
      }
      assertThat(refused).as("the second node's start").isNotNull();
      assertThat(refused.getMessage()).contains("bus_namespace 'same' is already used by another node in this Vert.x")
          .contains("give each node that shares a Vert.x its own bus_namespace");
      assertThat(net.status(0).getLong("committed_height")).as("the first node still answers").isNotNull();
    } finally {
      TestNetwork.await(vertx.close(), TestNetwork.WAIT);
    }
  }
}
