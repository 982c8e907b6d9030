package org.kinmesh.punch;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.bus.BusScope;
import org.kinmesh.bus.LocalCodec;
import org.kinmesh.chain.AuthorizedSet;
import org.kinmesh.chain.ChainAddresses;
import org.kinmesh.util.TokenBucket;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;
import org.kinmesh.udp.UdpDatagram;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hole punching (docs/nat-traversal.md). Links ask it to open a direct UDP path to a peer with
 * the peer's candidate endpoints ({@link PunchAddresses#start}); the peer is asked over another path to do the
 * same toward us ("call me"), so both sides probe at once and each side's outbound probes open
 * its own NAT for the other's. Every valid probe is answered to the address it came from, and
 * that address becomes a candidate (peer-reflexive: how a symmetric-NAT peer is reached). The
 * first reply that echoes one of our nonces opens the path: published on {@link PunchAddresses#path}.
 */
public final class PunchVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PunchVerticle.class);
  /** Probes and replies answered per source IP per second (and burst): bounds reflection. */
  static final int PER_SOURCE_RATE = 50;
  static final int MAX_SOURCES = 1_024;
  static final int MAX_ATTEMPTS = 100;

  private final String blockchainId;
  private final Identity identity;
  private final TimeSource clock;
  private final UdpAddresses udp;
  private PunchAddresses addresses = PunchAddresses.DEFAULT;
  private ChainAddresses chain = ChainAddresses.DEFAULT;
  private final String genesis;
  private final ProbeCheck check;
  private final String log;
  private final Map<String, PunchAttempt> attempts = new TreeMap<>();
  /** The attempts' back-off jitter; used on the event loop only. */
  private final SplittableRandom random = new SplittableRandom();
  private final Map<String, TokenBucket> perSource = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> e) {
      return size() > MAX_SOURCES;
    }
  };
  private final Map<String, Long> drops = new TreeMap<>();
  /** Paths opened, until Links asks again: a probe from there is only answered, not chased. */
  private final Map<String, Endpoint> established = new TreeMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Set<String> authorized = Set.of();
  private long timer = -1;
  private boolean stopping;
  /** force_relay: answer no probe and punch toward nobody (issue 12.7). */
  private boolean refuseAll;

  /** For punching alone (tests): every node shares one unnamed genesis. */
  public PunchVerticle(String blockchainId, Identity identity, TimeSource clock, UdpAddresses udp) {
    this(blockchainId, org.kinmesh.chain.Block.ZERO_HASH, identity, clock, udp);
  }

  /** @param genesis our genesis hash: probes and replies carry it, and one naming another is dropped */
  public PunchVerticle(String blockchainId, String genesis, Identity identity, TimeSource clock, UdpAddresses udp) {
    this.genesis = genesis;
    this.blockchainId = blockchainId;
    this.identity = identity;
    this.clock = clock;
    this.udp = udp;
    this.check = new ProbeCheck(blockchainId, genesis, identity.publicKeyHex());
    this.log = "node=" + identity.shortId();
  }

  /**
   * A node with force_relay answers no probe (a reply would open a direct path and show our
   * address) and starts no attempt; each dropped probe is counted as {@code force_relay}. Call
   * before deploying.
   */
  /** Provides and consumes this node's addresses (default: the default namespace's); call before deploying. */
  public PunchVerticle scoped(BusScope scope) {
    this.addresses = PunchAddresses.in(scope);
    this.chain = ChainAddresses.in(scope);
    return this;
  }

  public PunchVerticle refuseAll(boolean on) {
    this.refuseAll = on;
    return this;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, AuthorizedSet.class);
    var bus = vertx.eventBus();
    consumers.add(bus.<UdpDatagram>localConsumer(udp.inbound(DatagramKind.PUNCH), m -> onDatagram(m.body())));
    consumers.add(bus.<AuthorizedSet>localConsumer(chain.authorizedSet(), m -> applyAuthorized(m.body())));
    consumers.add(bus.<JsonObject>localConsumer(addresses.start(), this::onStart));
    consumers.add(bus.<JsonObject>localConsumer(addresses.stop(), m -> stopAttempt(m.body() == null ? null : m.body().getString("peer"))));
    consumers.add(bus.<Object>localConsumer(addresses.status(), m -> m.reply(status())));
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).onSuccess(v -> bus.<AuthorizedSet>request(chain.authorizedSetQuery(), new JsonObject(),
        new DeliveryOptions().setSendTimeout(5_000)).onSuccess(r -> applyAuthorized(r.body())));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(c -> closing.add(c.unregister()));
    return Future.join(closing);
  }

  private void applyAuthorized(AuthorizedSet set) {
    if (set == null) {
      return;
    }
    Set<String> next = set.keys();
    authorized = next;
    attempts.keySet().removeIf(k -> !next.contains(k));
    established.keySet().removeIf(k -> !next.contains(k));
  }

  // ---- requests from Links ----

  private void onStart(Message<JsonObject> m) {
    JsonObject b = m.body();
    String peer = b == null ? null : b.getString("peer");
    if (refuseAll) {
      m.fail(403, "force_relay: no direct paths");
      return;
    }
    if (peer == null || !authorized.contains(peer) || peer.equals(identity.publicKeyHex())) {
      m.fail(400, "peer must be another authorized key");
      return;
    }
    List<Endpoint> endpoints = new ArrayList<>();
    if (b.getValue("endpoints") instanceof JsonArray list) {
      for (Object o : list) {
        try {
          endpoints.add(Endpoint.parse((String) o));
        } catch (WireException | ClassCastException e) {
          m.fail(400, "bad endpoint: " + o);
          return;
        }
      }
    }
    established.remove(peer);
    PunchAttempt a = attempt(peer);
    if (a == null) {
      m.fail(503, "too many punch attempts");
      return;
    }
    endpoints.forEach(a::addCandidate);
    a.hurry(clock.nowMillis());
    runRounds();
    m.reply(new JsonObject().put("candidates", a.candidates().size()));
  }

  private PunchAttempt attempt(String peer) {
    PunchAttempt a = attempts.get(peer);
    if (a == null) {
      if (attempts.size() >= MAX_ATTEMPTS) {
        return null;
      }
      a = new PunchAttempt(peer, List.of(), clock.nowMillis(), Probe::newNonce, random);
      attempts.put(peer, a);
      LOG.debug("{} op=punch.start peer={}", log, KeyIds.shortId(peer));
    }
    return a;
  }

  private void stopAttempt(String peer) {
    if (peer != null) {
      established.remove(peer);
    }
    if (peer != null && attempts.remove(peer) != null) {
      LOG.debug("{} op=punch.stop peer={}", log, KeyIds.shortId(peer));
    }
  }

  // ---- rounds ----

  private void runRounds() {
    if (stopping) {
      return;
    }
    long now = clock.nowMillis();
    long next = Long.MAX_VALUE;
    for (PunchAttempt a : attempts.values()) {
      for (PunchAttempt.Outgoing o : a.round(now)) {
        Probe p = Probe.probe(identity, blockchainId, genesis, a.peer(), o.nonce(), clock.nowSeconds());
        send(o.to(), p);
      }
      next = Math.min(next, a.nextRoundAt());
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (next != Long.MAX_VALUE) {
      timer = vertx.setTimer(Math.max(1, next - clock.nowMillis()), id -> {
        timer = -1;
        runRounds();
      });
    }
  }

  private void send(Endpoint to, Probe p) {
    vertx.eventBus().send(udp.send(), new UdpDatagram(to.ip(), to.port(), p.encode()));
  }

  // ---- inbound ----

  private void onDatagram(UdpDatagram d) {
    if (refuseAll) {
      drop("force_relay");
      return;
    }
    if (!sourceAllowed(d.host())) {
      drop("rate_limited");
      return;
    }
    Probe p;
    try {
      p = Probe.parse(d.data());
    } catch (WireException e) {
      drop("malformed");
      return;
    }
    ProbeCheck.Verdict v = check.check(p, authorized, clock.nowSeconds());
    if (v != ProbeCheck.Verdict.OK) {
      drop(v.name().toLowerCase(java.util.Locale.ROOT));
      LOG.debug("{} op=punch.drop from={} reason={}", log, d.remote(), v);
      return;
    }
    Endpoint source = new Endpoint(WireRules.canonicalIp(d.host()), d.port());
    if (p.reply()) {
      onReply(p, source);
    } else {
      onProbe(p, source);
    }
  }

  private void onProbe(Probe p, Endpoint source) {
    // One reply, nothing else, to the address the probe came from: that address may be spoofed
    // (issue 13.6), and a reply is ~1.2x the probe. Its own nonce stands in for a probe back: the
    // peer, which proved itself by getting our reply to its nonce, confirms ours (onReply), and
    // that opens the path from our side too, also at a peer-reflexive address we never probe.
    String nonce = Probe.newNonce();
    send(source, Probe.reply(identity, blockchainId, genesis, p.from(), nonce, p.nonce(), source,
        clock.nowSeconds()));
    if (source.equals(established.get(p.from()))) {
      return;
    }
    PunchAttempt a = attempt(p.from());
    if (a == null) {
      return;
    }
    a.expectConfirmation(source, nonce, clock.nowMillis());
    // An address we meant to punch anyway (a candidate from gossip or the relay) is probed at once,
    // not at the next backed-off round: the hole the peer just opened toward us lets it in now.
    if (a.candidates().contains(source)) {
      a.hurry(clock.nowMillis());
      runRounds();
    }
  }

  private void onReply(Probe p, Endpoint source) {
    PunchAttempt a = attempts.get(p.from());
    if (a == null) {
      // A confirmation crossing our own success on an open path is expected, not a drop.
      if (!source.equals(established.get(p.from()))) {
        drop("no_attempt");
      }
      return;
    }
    a.onReply(p, source, clock.nowMillis()).ifPresentOrElse(ok -> {
      attempts.remove(p.from());
      established.put(p.from(), ok.endpoint());
      if (ok.confirm()) {
        // The source just echoed our nonce, so it is verified: answer the nonce its reply carries.
        send(source, Probe.reply(identity, blockchainId, genesis, p.from(), Probe.newNonce(), p.nonce(), source,
            clock.nowSeconds()));
      }
      long elapsed = clock.nowMillis() - a.startedAt();
      LOG.info("{} op=punch.ok peer={} endpoint={} rtt_ms={} elapsed_ms={} after {} rounds", log,
          KeyIds.shortId(p.from()), ok.endpoint(), ok.rttMillis(), elapsed, a.rounds());
      vertx.eventBus().publish(addresses.path(), new JsonObject().put("peer", p.from()).put("endpoint", ok.endpoint().toString())
          .put("rtt_ms", ok.rttMillis()).put("elapsed_ms", elapsed).put("observed_self", ok.observedSelf()));
    }, () -> drop("unknown_nonce"));
  }

  private boolean sourceAllowed(String ip) {
    return perSource.computeIfAbsent(ip, k -> new TokenBucket(PER_SOURCE_RATE, PER_SOURCE_RATE, clock)).tryTake();
  }

  private void drop(String reason) {
    drops.merge(reason, 1L, Long::sum);
  }

  private JsonObject status() {
    JsonArray list = new JsonArray();
    long now = clock.nowMillis();
    attempts.values().forEach(a -> list.add(new JsonObject().put("peer", a.peer()).put("rounds", a.rounds())
        .put("next_round_in_ms", Math.max(0, a.nextRoundAt() - now))
        .put("candidates", new JsonArray(a.candidates().stream().map(Endpoint::toString).sorted().toList()))));
    JsonObject d = new JsonObject();
    drops.forEach(d::put);
    return new JsonObject().put("attempts", list).put("drops", d);
  }
}
