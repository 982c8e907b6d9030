package org.kinmesh.node.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.crypto.Identity;
import org.kinmesh.net.Backoff;
import org.kinmesh.net.RetryPolicy;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.testing.Await;
import org.kinmesh.testing.Events;
import org.kinmesh.testing.LocalRelay;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;

/** RelayClientVerticle against a real relay on loopback; backoff shortened, clocks manual. */
class RelayClientVerticleTest {
  static final String CHAIN = "fam";
  final Identity alice = TestKeys.key(10);
  final Identity bob = TestKeys.key(11);
  final ManualTimeSource relayClock = new ManualTimeSource(LocalRelay.START_SECS * 1000);
  final ManualTimeSource nodeClock = new ManualTimeSource(LocalRelay.START_SECS * 1000);
  final Vertx node = Vertx.vertx();

  @TempDir
  Path dir;
  LocalRelay relay;

  @AfterEach
  void close() {
    Await.result(node.close());
    if (relay != null) {
      relay.close();
    }
  }

  LocalRelay relay(JsonObject overrides) {
    relay = new LocalRelay(dir, CHAIN, overrides, relayClock, alice, bob);
    return relay;
  }

  RelayClientVerticle deploy(String url, long intervalMillis) {
    RelayClientSettings s = new RelayClientSettings(url, CHAIN, intervalMillis, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)));
    RelayClientVerticle v = new RelayClientVerticle(s, alice, nodeClock);
    Await.result(node.deployVerticle(v));
    return v;
  }

  Message<JsonObject> lookup(Object body) {
    return Await.result(node.eventBus().request(NodeAddresses.DEFAULT.relayClient().lookup(), body, new DeliveryOptions().setSendTimeout(20_000)));
  }

  ReplyException lookupFails(Object body) {
    Throwable t = Await.failure(node.eventBus().request(NodeAddresses.DEFAULT.relayClient().lookup(), body,
        new DeliveryOptions().setSendTimeout(20_000)));
    assertThat(t).isInstanceOf(ReplyException.class);
    return (ReplyException) t;
  }

  void registerBob() {
    try (RelayHttpClient c = new RelayHttpClient(relay.vertx, relay.url(), nodeClock)) {
      assertThat(Await.result(c.register(bob, CHAIN, "127.0.0.1", 41_000)).ok()).isTrue();
    }
  }

  @Test
  void registersAtStartAndAgainOnTheTimer() {
    relay(new JsonObject()).start();
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      RelayClientVerticle v = deploy(relay.url(), 100);
      JsonObject first = state.next(m -> m.getBoolean("registered"));
      assertThat(first.getString("observed_ip")).isEqualTo("127.0.0.1");
      assertThat(first.getInteger("observed_port")).isPositive();
      // The relay refuses a timestamp that is not newer; move the node's clock so the timer's
      // registration is accepted.
      nodeClock.advanceSeconds(5);
      state.next(m -> m.getBoolean("registered") && v.registrations() >= 2);
      assertThat(v.registrations()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void publishesThePublicEndpointStunFoundAndOnlyWhenNoneIsConfigured() {
    relay(new JsonObject()).start();
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
          new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
      Await.result(node.deployVerticle(new RelayClientVerticle(follow, alice, nodeClock)));
      state.next(m -> m.getBoolean("registered"));
      nodeClock.advanceSeconds(1); // the relay wants a newer timestamp for the next registration
      node.eventBus().publish(NodeAddresses.DEFAULT.stun().state(), stunView("203.0.113.9", 7070, org.kinmesh.wire.gossip.NatType.PORT_RESTRICTED));
      state.next(m -> m.getBoolean("registered"));
    }
    Vertx other = Vertx.vertx();
    try (RelayHttpClient c = new RelayHttpClient(other, relay.url(), nodeClock)) {
      var answer = Await.result(c.lookupSigned(bob, CHAIN, alice.publicKeyHex()));
      assertThat(answer.body().getString("ip")).isEqualTo("203.0.113.9");
      assertThat(answer.body().getInteger("port")).isEqualTo(7070);
    } finally {
      Await.result(other.close());
    }
  }

  @Test
  void theFirstRegistrationWaitsForAStunProbeInProgress() {
    relay(new JsonObject()).start();
    // The Stun verticle's start-up probe is running: its last state has no endpoint yet, and a
    // refresh request joins the probe and is answered when it ends.
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().stateQuery(), m -> m.reply(NO_ENDPOINT));
    io.vertx.core.Promise<io.vertx.core.eventbus.Message<Object>> refresh = io.vertx.core.Promise.promise();
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().refresh(), refresh::tryComplete);
    RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
    RelayClientVerticle v;
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      v = new RelayClientVerticle(follow, alice, nodeClock);
      node.deployVerticle(v);
      io.vertx.core.eventbus.Message<Object> asked = Await.result(refresh.future());
      assertThat(v.registrations()).as("nothing registered while the probe runs").isZero();
      // The probe ends; its result is also published, as the Stun verticle does.
      org.kinmesh.stun.StunView found = stunView("203.0.113.9", 7070, org.kinmesh.wire.gossip.NatType.FULL_CONE);
      node.eventBus().publish(NodeAddresses.DEFAULT.stun().state(), found);
      asked.reply(found);
      state.next(m -> m.getBoolean("registered"));
    }
    assertThat(lookupFromBob().getString("ip")).isEqualTo("203.0.113.9");
    assertThat(v.registrations()).as("one registration, not one per STUN message").isEqualTo(1);
  }

  @Test
  void aStunProbeThatNeverEndsDelaysTheFirstRegistrationOnlyBriefly() {
    relay(new JsonObject()).start();
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().stateQuery(), m -> m.reply(NO_ENDPOINT));
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().refresh(), m -> { }); // never answers
    RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      Await.result(node.deployVerticle(new RelayClientVerticle(follow, alice, nodeClock)));
      state.next(m -> m.getBoolean("registered")); // after FIRST_PROBE_WAIT_MS, with the listen address
    }
    assertThat(lookupFromBob().getString("ip")).isEqualTo("127.0.0.1");
  }

  @Test
  void aStunResultFromBeforeTheClientStartedIsInTheFirstRegistration() {
    relay(new JsonObject()).start();
    // The Stun verticle deploys first and may have published already: only its query answers now.
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().stateQuery(), m -> m.reply(stunView("203.0.113.9", 7070, org.kinmesh.wire.gossip.NatType.OPEN)));
    RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
    RelayClientVerticle v;
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      v = new RelayClientVerticle(follow, alice, nodeClock);
      Await.result(node.deployVerticle(v));
      state.next(m -> m.getBoolean("registered"));
    }
    assertThat(v.registrations()).isEqualTo(1);
    assertThat(lookupFromBob().getString("ip")).isEqualTo("203.0.113.9");
  }

  @Test
  void aStunChangeWithinTheSecondOfTheLastRegistrationIsRegisteredOnceTheSecondHasPassed() {
    relay(new JsonObject()).start();
    RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
    RelayClientVerticle v = new RelayClientVerticle(follow, alice, nodeClock);
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      Await.result(node.deployVerticle(v));
      state.next(m -> m.getBoolean("registered"));
      // STUN finishes in the same second: registering now would be refused as a replay.
      node.eventBus().publish(NodeAddresses.DEFAULT.stun().state(), stunView("203.0.113.9", 7070, org.kinmesh.wire.gossip.NatType.RESTRICTED));
      lookupFails(new JsonObject().put("pubkey", "ABC")); // handled after STUN_STATE, on the client's loop
      nodeClock.advanceSeconds(1);
      state.next(m -> m.getBoolean("registered"));
    }
    assertThat(v.outages()).as("no registration was refused").isZero();
    assertThat(v.registrations()).isEqualTo(2);
    assertThat(lookupFromBob().getString("ip")).isEqualTo("203.0.113.9");
  }

  @Test
  void aStunAnswerWithoutAnEndpointKeepsTheConfiguredOne() {
    relay(new JsonObject()).start();
    // (a typed view cannot carry a malformed ip: the Stun verticle made it from a socket address)
    node.eventBus().localConsumer(NodeAddresses.DEFAULT.stun().stateQuery(), m -> m.reply(NO_ENDPOINT));
    RelayClientSettings follow = new RelayClientSettings(relay.url(), CHAIN, 60_000, "127.0.0.1", 40_000,
        new Backoff(20, 100), new RetryPolicy(3, new Backoff(10, 40)), true);
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      Await.result(node.deployVerticle(new RelayClientVerticle(follow, alice, nodeClock)));
      state.next(m -> m.getBoolean("registered"));
    }
    JsonObject found = lookupFromBob();
    assertThat(found.getString("ip")).isEqualTo("127.0.0.1");
    assertThat(found.getInteger("port")).isEqualTo(40_000);
  }

  /** STUN's typed view, as the Stun verticle publishes it (issue 14: no JSON between verticles). */
  private static final org.kinmesh.stun.StunView NO_ENDPOINT =
      new org.kinmesh.stun.StunView(java.util.Optional.empty(), org.kinmesh.wire.gossip.NatType.UNKNOWN, 40_000);

  private static org.kinmesh.stun.StunView stunView(String ip, int port, org.kinmesh.wire.gossip.NatType nat) {
    return new org.kinmesh.stun.StunView(java.util.Optional.of(new org.kinmesh.wire.gossip.Endpoint(ip, port)), nat, port);
  }

  private JsonObject lookupFromBob() {
    Vertx other = Vertx.vertx();
    try (RelayHttpClient c = new RelayHttpClient(other, relay.url(), nodeClock)) {
      return Await.result(c.lookupSigned(bob, CHAIN, alice.publicKeyHex())).body();
    } finally {
      Await.result(other.close());
    }
  }

  @Test
  void lookupAnswersEndpointAndClearFailures() {
    relay(new JsonObject()).start();
    registerBob();
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      deploy(relay.url(), 60_000);
      state.next(m -> m.getBoolean("registered"));
    }
    JsonObject found = lookup(new JsonObject().put("pubkey", bob.publicKeyHex())).body();
    assertThat(found.getString("ip")).isEqualTo("127.0.0.1");
    assertThat(found.getInteger("port")).isEqualTo(41_000);
    assertThat(found.getLong("last_seen")).isEqualTo(LocalRelay.START_SECS);

    ReplyException missing = lookupFails(new JsonObject().put("pubkey", TestKeys.key(99).publicKeyHex()));
    assertThat(missing.failureCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.getMessage()).getString("error")).isEqualTo("not_found");

    ReplyException malformed = lookupFails(new JsonObject().put("pubkey", "ABC"));
    assertThat(malformed.failureCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.getMessage()).getString("error")).isEqualTo("malformed");
  }

  @Test
  void relayDownAtStartDoesNotStopTheNodeAndRegistersWhenItReturns() {
    relay(new JsonObject()).start();
    String url = relay.url();
    relay.stop();
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      RelayClientVerticle v = deploy(url, 60_000);
      // Several failed tries, each reported, one outage logged.
      for (int i = 0; i < 3; i++) {
        assertThat(state.next().getBoolean("registered")).isFalse();
      }
      assertThat(v.outages()).isEqualTo(1);

      ReplyException down = lookupFails(new JsonObject().put("pubkey", bob.publicKeyHex()));
      assertThat(down.failureCode()).isEqualTo(503);
      assertThat(new JsonObject(down.getMessage()).getString("error")).isEqualTo("relay_unreachable");

      relay.start();
      state.next(m -> m.getBoolean("registered"));
      assertThat(v.registrations()).isEqualTo(1);
      assertThat(v.outages()).isEqualTo(1);
    }
  }

  @Test
  void expiredTokenLookupReRegistersAndRetries() {
    relay(new JsonObject().put("token_ttl_secs", 10)).start();
    registerBob();
    RelayClientVerticle v;
    try (Events state = new Events(node, NodeAddresses.DEFAULT.relayClient().state())) {
      v = deploy(relay.url(), 600_000);
      state.next(m -> m.getBoolean("registered"));
    }
    assertThat(lookup(new JsonObject().put("pubkey", bob.publicKeyHex())).body().getInteger("port")).isEqualTo(41_000);
    assertThat(v.registrations()).isEqualTo(1);

    // The relay's clock says the token has expired; the node's clock does not know yet, so the
    // relay's 401 is what makes the client register again.
    relayClock.advanceSeconds(20);
    nodeClock.advanceSeconds(1);
    assertThat(lookup(new JsonObject().put("pubkey", bob.publicKeyHex())).body().getInteger("port")).isEqualTo(41_000);
    assertThat(v.registrations()).isEqualTo(2);
  }

  @Test
  void scheduleBacksOffOnRetryableFailuresOnlyAndResetsOnSuccess() {
    RegisterSchedule s = new RegisterSchedule(120_000, Backoff.DEFAULT);
    assertThat(s.next(0)).isEqualTo(1_000);
    assertThat(s.next(503)).isEqualTo(2_000);
    assertThat(s.next(0)).isEqualTo(4_000);
    assertThat(s.next(0)).isEqualTo(8_000);
    assertThat(s.next(0)).isEqualTo(16_000);
    assertThat(s.next(0)).isEqualTo(30_000);
    assertThat(s.next(0)).isEqualTo(30_000);
    assertThat(s.next(200)).isEqualTo(120_000);
    assertThat(s.consecutiveFailures()).isZero();
    assertThat(s.next(403)).as("4xx waits for the next regular round").isEqualTo(120_000);
    assertThat(s.next(429)).isEqualTo(1_000);
  }
}
