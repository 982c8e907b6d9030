package org.kinmesh.node.link;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.util.TimeSource;

/**
 * One node's links in its own Vert.x (so its event bus is its own), with a stand-in relay
 * lookup that answers from a directory the test fills, and collectors for what it publishes.
 */
final class LinkNode implements AutoCloseable {
  static final String CHAIN = "fam";

  final Identity id;
  final Vertx vertx = Vertx.vertx();
  final LinksVerticle links;
  final Events inbound;
  final Events events;
  private String deployment;

  LinkNode(Identity id, Map<String, Integer> directory, LinkSettings settings, TimeSource clock) {
    this.id = id;
    vertx.eventBus().<JsonObject>localConsumer(NodeAddresses.DEFAULT.relayClient().lookup(), m -> lookup(directory, m));
    inbound = inboundEvents(vertx);
    events = new Events(vertx, NodeAddresses.DEFAULT.api().peersEvents());
    links = new LinksVerticle(settings, id, clock);
    deployment = Await.result(vertx.deployVerticle(links));
    directory.put(id.publicKeyHex(), links.boundPort());
  }

  LinkNode(Identity id, Map<String, Integer> directory) {
    this(id, directory, fast(0), TimeSource.SYSTEM);
  }

  /** Short backoff and breaker so failure paths run in milliseconds. */
  static LinkSettings fast(int port) {
    return LinkSettings.defaults(CHAIN, "127.0.0.1", port).withRetry(new Backoff(10, 40), new Backoff(300, 600));
  }

  private static void lookup(Map<String, Integer> directory, Message<JsonObject> m) {
    Integer port = directory.get(m.body().getString("pubkey"));
    if (port == null) {
      m.fail(404, new JsonObject().put("error", "not_found").put("message", "no entry").encode());
    } else {
      m.reply(new JsonObject().put("ip", "127.0.0.1").put("port", port).put("last_seen", 0));
    }
  }

  void authorize(long height, Identity... keys) {
    JsonArray arr = new JsonArray();
    for (Identity k : keys) {
      arr.add(k.publicKeyHex());
    }
    vertx.eventBus().publish(NodeAddresses.DEFAULT.chain().authorizedSet(), new org.kinmesh.chain.AuthorizedSet(height, keysOf(arr)));
  }

  void send(Identity to, String payload) {
    vertx.eventBus().send(NodeAddresses.DEFAULT.links().send(), LinkMessage.to(to.publicKeyHex(), payload.getBytes(StandardCharsets.UTF_8)));
  }

  void broadcast(String payload) {
    vertx.eventBus().send(NodeAddresses.DEFAULT.links().broadcast(), LinkMessage.broadcast(payload.getBytes(StandardCharsets.UTF_8)));
  }

  JsonObject status() {
    return Await.result(vertx.eventBus().<JsonObject>request(NodeAddresses.DEFAULT.api().peersStatus(), new JsonObject())).body();
  }

  JsonObject peerStatus(Identity peer) {
    for (Object o : status().getJsonArray("peers")) {
      JsonObject p = (JsonObject) o;
      if (p.getString("pubkey").equals(peer.publicKeyHex())) {
        return p;
      }
    }
    return null;
  }

  /** Waits until this node reports the link to {@code peer} up. */
  void awaitUp(Identity peer) {
    if (peer != null && isUp(peer)) {
      return;
    }
    events.next(e -> e.getString("pubkey").equals(peer.publicKeyHex()) && "up".equals(e.getString("event")));
  }

  private boolean isUp(Identity peer) {
    JsonObject s = peerStatus(peer);
    return s != null && "connected".equals(s.getString("state"));
  }

  /**
   * What this node published on PEERS_EVENTS and the test has not taken yet: everything up to a
   * marker published after a status answer (so after whatever the links did before it).
   */
  java.util.List<JsonObject> eventsSoFar() {
    status();
    vertx.eventBus().publish(NodeAddresses.DEFAULT.api().peersEvents(), new JsonObject().put("event", "marker"));
    java.util.List<JsonObject> out = new java.util.ArrayList<>();
    for (JsonObject e = events.next(); !"marker".equals(e.getString("event")); e = events.next()) {
      out.add(e);
    }
    return out;
  }

  JsonObject nextInbound() {
    return inbound.next();
  }

  void stop() {
    Await.result(vertx.undeploy(deployment));
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }

  /** LINKS_INBOUND's LinkMessages, seen as {"from", "payload" (text)} for the tests' assertions. */
  static Events inboundEvents(Vertx vertx) {
    return new Events(vertx, NodeAddresses.DEFAULT.links().inbound(),
        (LinkMessage m) -> new JsonObject().put("from", m.peer()).put("payload", m.text()));
  }

  static Set<String> keys(Identity... ids) {
    return java.util.Arrays.stream(ids).map(Identity::publicKeyHex).collect(java.util.stream.Collectors.toSet());
  }

  private static java.util.Set<String> keysOf(io.vertx.core.json.JsonArray arr) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    arr.forEach(k -> keys.add((String) k));
    return keys;
  }
}
