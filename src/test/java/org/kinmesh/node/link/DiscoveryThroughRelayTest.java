package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.net.RetryPolicy;
import org.kinmesh.node.relay.RelayClientSettings;
import org.kinmesh.node.relay.RelayClientVerticle;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;

/** Two nodes that know only the relay find each other through it and link up: Links + RelayClient + a real relay. */
class DiscoveryThroughRelayTest {
  final Identity a = TestKeys.key(41);
  final Identity b = TestKeys.key(42);
  final ManualTimeSource clock = new ManualTimeSource(LocalRelay.START_SECS * 1000);
  final Vertx va = Vertx.vertx();
  final Vertx vb = Vertx.vertx();

  @TempDir
  Path dir;
  LocalRelay relay;

  @AfterEach
  void close() {
    Await.result(va.close());
    Await.result(vb.close());
    relay.close();
  }

  /** Deploys links on port 0, then the relay client publishing that port, as the node's start-up would. */
  Events startNode(Vertx vertx, Identity id) {
    Events events = new Events(vertx, NodeAddresses.DEFAULT.api().peersEvents());
    LinksVerticle links = new LinksVerticle(LinkNode.fast(0), id, clock);
    Await.result(vertx.deployVerticle(links));
    RelayClientSettings s = new RelayClientSettings(relay.url(), LinkNode.CHAIN, 600_000, "127.0.0.1", links.boundPort(),
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)));
    try (Events state = new Events(vertx, NodeAddresses.DEFAULT.relayClient().state())) {
      Await.result(vertx.deployVerticle(new RelayClientVerticle(s, id, clock)));
      state.next(m -> m.getBoolean("registered"));
    }
    return events;
  }

  static void authorize(Vertx vertx, Identity... keys) {
    JsonArray arr = new JsonArray();
    for (Identity k : keys) {
      arr.add(k.publicKeyHex());
    }
    vertx.eventBus().publish(NodeAddresses.DEFAULT.chain().authorizedSet(), new org.kinmesh.chain.AuthorizedSet(1, new java.util.HashSet<>(arr.getList())));
  }

  @Test
  void nodesLookEachOtherUpAtTheRelayAndLink() {
    relay = new LocalRelay(dir, LinkNode.CHAIN, new JsonObject(), clock, a, b).start();
    Events ea = startNode(va, a);
    Events eb = startNode(vb, b);
    try (Events inbound = LinkNode.inboundEvents(vb)) {
      authorize(va, a, b);
      authorize(vb, a, b);
      ea.next(e -> "up".equals(e.getString("event")) && e.getString("pubkey").equals(b.publicKeyHex()));
      eb.next(e -> "up".equals(e.getString("event")) && e.getString("pubkey").equals(a.publicKeyHex()));
      va.eventBus().send(NodeAddresses.DEFAULT.links().send(), LinkMessage.to(b.publicKeyHex(), "hello b".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(inbound.next().getString("payload")).isEqualTo("hello b");
    }
  }
}
