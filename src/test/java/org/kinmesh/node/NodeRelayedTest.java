package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A started node keeps its relayed connection up by itself, and two nodes reach each other through it. */
class NodeRelayedTest {
  @TempDir
  Path dir;
  TestNetwork net;

  @AfterEach
  void stop() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  void startedNodesAreReachableThroughTheRelay() throws Exception {
    net = new TestNetwork(dir, 2).startAll();
    awaitRelayed(0);
    awaitRelayed(1);
    String from = net.node(0).key();
    String to = net.node(1).key();
    // Match the payload too: consensus also talks through the relay (hellos, a view change at start).
    JsonObject got = net.awaitMessage(1, NodeAddresses.DEFAULT.relayed().inbound(), m -> from.equals(m.getString("from"))
            && "through the relay".equals(m.getString("payload")),
        () -> net.node(0).vertx.eventBus().send(NodeAddresses.DEFAULT.relayed().send(),
            new JsonObject().put("to", to).put("payload", "through the relay")));
    assertThat(got.getString("payload")).isEqualTo("through the relay");
  }

  /** Asks node i's relayed connection for its status every 20 ms until it is connected (20 s bound). */
  private void awaitRelayed(int i) {
    Vertx v = net.node(i).vertx;
    Promise<Void> up = Promise.promise();
    long timer = v.setPeriodic(20, id -> v.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.relayed().status(), new JsonObject())
        .onSuccess(r -> {
          if (r.body().getBoolean("connected")) {
            up.tryComplete();
          }
        }));
    try {
      TestNetwork.await(up.future(), TestNetwork.WAIT);
    } finally {
      v.cancelTimer(timer);
    }
  }
}
